"""manifest.yml asks for exactly the bot scopes the code needs (least privilege).

The Slack Web API methods the code calls are read from the source: `client.<family>_<method>(`
calls, string constants that are a method name (outbox `method=` values, the reconciler's
calls) and the methods the end-to-end tests see the bot call on the fake Slack. Each needs the
scopes in METHOD_SCOPES (from Slack's method reference); the union, plus what the manifest's
features need, must equal the manifest's bot scopes: a scope nothing uses is a grant to drop,
a method without its scope fails in a real workspace.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CODE = [ROOT / name for name in ("bot", "handlers", "blocks", "storage")]
NOT_CLIENTS = [ROOT / "bot" / "demo"]  # the embedded fake Slack serves methods; it does not call them
E2E = ROOT / "tests" / "e2e"

HISTORY = {"channels:history", "groups:history", "im:history", "metadata.message:read"}  # include_all_metadata
METHOD_SCOPES: dict[str, set[str]] = {
    "chat.postMessage": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "chat.update": {"chat:write"},
    "conversations.open": {"im:write"},
    "conversations.history": HISTORY,
    "conversations.replies": HISTORY,
    "views.open": set(),
    "views.update": set(),
    "views.push": set(),
    "views.publish": set(),
    "auth.test": set(),
    "apps.connections.open": set(),  # Socket Mode: the app-level token's connections:write, not a bot scope
}
FEATURE_SCOPES = {"slash_commands": {"commands"}}

METHOD = re.compile(r"(api|apps|auth|bookmarks|chat|conversations|dnd|files|pins|reactions|team|usergroups|users|views)\.[a-z][A-Za-z.]+")
CLIENT_CALL = re.compile(r"(?P<family>[a-z]+)_(?P<name>[a-z][A-Za-z]*)")
WAITS = {"wait_for", "wait_for_async", "calls_to"}


def _sources(roots: list[Path], skip: list[Path]) -> Iterator[ast.AST]:
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            if not any(path.is_relative_to(s) for s in skip):
                yield ast.parse(path.read_text(encoding="utf-8"), str(path))


def _called_in_code() -> set[str]:
    found = set()
    for tree in _sources(CODE, NOT_CLIENTS):
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and METHOD.fullmatch(node.value):
                found.add(node.value)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                call = CLIENT_CALL.fullmatch(node.func.attr)
                if node.func.value.id == "client" and call and node.func.attr != "api_call":
                    found.add(f"{call['family']}.{call['name']}")
    return found


def _seen_by_e2e_tests() -> set[str]:
    found = set()
    for tree in _sources([E2E], []):
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WAITS and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str) and METHOD.fullmatch(first.value):
                    found.add(first.value)
    return found


def _manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))


def test_the_code_calls_the_methods_it_is_known_to_call() -> None:
    # Guards the scan itself: if these vanish the scan, not the code, has gone blind.
    called = _called_in_code()
    assert {"chat.postMessage", "chat.update", "chat.postEphemeral", "views.open", "conversations.history"} <= called


def test_every_method_called_has_its_scopes_in_the_table() -> None:
    unknown = (_called_in_code() | _seen_by_e2e_tests()) - METHOD_SCOPES.keys()
    assert not unknown, f"add these Slack methods and the scopes they need to METHOD_SCOPES: {sorted(unknown)}"


def test_the_manifest_asks_for_exactly_the_scopes_the_code_needs() -> None:
    manifest = _manifest()
    needed = set().union(*(METHOD_SCOPES.get(m, set()) for m in _called_in_code() | _seen_by_e2e_tests()))
    needed |= set().union(*(scopes for feature, scopes in FEATURE_SCOPES.items() if manifest["features"].get(feature)))
    granted = set(manifest["oauth_config"]["scopes"]["bot"])
    assert granted - needed == set(), "scopes nothing uses: drop them from manifest.yml"
    assert needed - granted == set(), "scopes the code needs: add them to manifest.yml"
