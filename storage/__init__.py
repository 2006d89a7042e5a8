"""Persistence: typed SQLAlchemy 2 models, repositories and the unit of work.

Imports nothing from `bot`, `handlers` or `blocks` (docs/architecture.md: imports point down).
"""
