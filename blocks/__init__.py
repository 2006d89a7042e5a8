"""Block Kit builders: pure functions from domain objects to JSON-ready dicts. No I/O."""
