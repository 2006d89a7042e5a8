"""Reading an operator's YAML file (teams, policy) so that every problem can name its line and
its field: an administrator fixes the file without guessing. Pure: text in, nodes and data out.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.domain.errors import CasebotError


class YamlSyntaxError(CasebotError):
    """The text is not YAML at all; `line` is 1-based, None when the parser gave no position."""

    def __init__(self, line: int | None, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


# libyaml's parser when PyYAML was built with it (the wheels are): a region's teams file parses
# about ten times faster than with the pure-Python one, and gives the same nodes and marks.
Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the plain data (for validation) of `text`, from one
    parse: the data is constructed from the same nodes."""
    loader = Loader(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlSyntaxError(mark.line + 1 if mark is not None else None, problem) from None
    finally:
        loader.dispose()


def field_path(loc: tuple[Any, ...]) -> str:
    """`teams[0].practitioners[2].grade` from a validation location."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def node_line(root: yaml.Node | None, loc: tuple[Any, ...], *, key_line: bool = False) -> int | None:
    """The 1-based line of the node at `loc`, or of its nearest existing parent.

    With `key_line`, an entry of a mapping is placed at its key (`touchpoint:`), not at its value,
    which for a nested block starts on the line below: the line an operator looks for.
    """
    if root is None:
        return None
    node: yaml.Node = root
    line: int = root.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == part), None)
            if pair is None:
                break
            node = pair[1]
            line = int((pair[0] if key_line else pair[1]).start_mark.line) + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = int(node.start_mark.line) + 1
        else:
            break
    return line


def repeated_keys(root: yaml.Node | None, loc: tuple[Any, ...] = ()) -> list[tuple[int, tuple[Any, ...]]]:
    """(line, location) of every key written a second time in the same mapping. YAML keeps the
    last silently, so an operator who pasted `C:` twice would never learn which one counts."""
    found: list[tuple[int, tuple[Any, ...]]] = []
    if isinstance(root, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in root.value:
            name = str(getattr(key, "value", ""))
            if name in seen:
                found.append((key.start_mark.line + 1, (*loc, name)))
            seen.add(name)
            found += repeated_keys(value, (*loc, name))
    elif isinstance(root, yaml.SequenceNode):
        for index, item in enumerate(root.value):
            found += repeated_keys(item, (*loc, index))
    return found
