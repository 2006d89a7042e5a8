"""`python -m bot.runtime.cli`: the `casebot` command without the installed script."""

import sys

from bot.runtime.cli.main import main

sys.exit(main())
