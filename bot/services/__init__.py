"""Use cases, one a module: a unit of work in, domain results or typed errors out. No Block Kit, except notices."""
