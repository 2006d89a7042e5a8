"""Composition root: settings, app factory, web routes, serve, CLI, logs, metrics. The only room that knows every other."""
