"""YAML files with the line of every key path, so that a message can say file:line.

Safe loading only (libyaml's when PyYAML has it); a syntax error, an unreadable file, an alias
bomb or an impossible date becomes ConfigError naming its place.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from .errors import ConfigError

# libyaml's safe loader when PyYAML was built with it (the wheels are): several times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# Anchors and aliases are allowed, but the values they repeat may add at most this many nodes
# to a file: a "billion laughs" document (&a [*b, *b, ...] nested) would otherwise grow every
# walk over the data without bound. Files without aliases are never affected.
MAX_ALIAS_NODES = 1000


def compose(text: str, source: str | Path, offset: int = 0):
    """The YAML node tree of text (libyaml's parser), refused with ConfigError (file:line) when an
    alias refers to its own anchor or aliases expand the file by more than MAX_ALIAS_NODES nodes.
    Linear in the size of the text: each node is sized once."""
    node = yaml.compose(text, Loader=SAFE_LOADER)
    if node is None:
        return None
    sizes: dict[int, int] = {}          # id(node) -> nodes it stands for, aliases expanded
    distinct = 0
    stack: list = [(node, False)]
    on_path: set[int] = set()
    while stack:
        current, children_done = stack.pop()
        key = id(current)
        if children_done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in _children(current))
            if sizes[key] - distinct > MAX_ALIAS_NODES:
                raise ConfigError([f"{source}:{current.start_mark.line + 1 + offset}: anchors and aliases "
                                   f"(&name, *name) repeat more than {MAX_ALIAS_NODES} values; write the values "
                                   f"out / YAML 别名展开过多"])
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise ConfigError([f"{source}:{current.start_mark.line + 1 + offset}: an alias refers to the "
                               f"value that contains it (recursive YAML) / YAML 别名自引用"])
        distinct += 1
        on_path.add(key)
        stack.append((current, True))
        stack.extend((c, False) for c in _children(current) if id(c) not in sizes)
    return node


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []


def node_lines(node, offset: int = 0) -> dict[tuple, int]:
    """Map each key path of a composed YAML node to its 1-based line (+ offset), for messages.
    Iterative (libyaml allows 1000 levels of nesting, Python's recursion limit is about as deep);
    a node reached again through an alias is not walked again (compose() bounds how many are)."""
    lines: dict[tuple, int] = {}
    stack: list[tuple[yaml.Node, tuple]] = [(node, ())] if node is not None else []
    while stack:
        n, path = stack.pop()
        lines.setdefault(path, n.start_mark.line + 1 + offset)
        if isinstance(n, yaml.MappingNode):
            for key, value in reversed(n.value):
                if isinstance(key, yaml.ScalarNode):
                    lines.setdefault(path + (key.value,), key.start_mark.line + 1 + offset)
                    stack.append((value, path + (key.value,)))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((item, path + (i,)) for i, item in reversed(list(enumerate(n.value))))
    return lines


def line_of(lines: dict[tuple, int], keys: tuple) -> int | None:
    """The line of a key path, or of its closest parent that has one."""
    probe = tuple(keys)
    while probe and probe not in lines:
        probe = probe[:-1]
    return lines.get(probe)


class _Dated(SAFE_LOADER):     # type: ignore[valid-type, misc]
    """The safe loader, except that a well-formed but impossible date (2020-02-30) names its line."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise _BadDate(node.start_mark.line + 1, exc) from None


_Dated.add_constructor("tag:yaml.org,2002:timestamp", _Dated.construct_yaml_timestamp)


class _BadDate(Exception):
    pass


def parse(text: str, source: str | Path, offset: int = 0, loader=_Dated) -> tuple[object, dict]:
    """The data of a YAML text and the line (+ offset) of each key path; a syntax error, an alias
    bomb or an impossible date becomes ConfigError with file:line. Parsed once: the data is
    constructed (by loader, a safe one) from the checked node tree."""
    try:
        node = compose(text, source, offset)
        return (loader("").construct_document(node) if node is not None else None), node_lines(node, offset)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1 + offset}" if mark else str(source)
        raise ConfigError([f"{where}: YAML syntax error: {getattr(exc, 'problem', exc)}"]) from None
    except _BadDate as exc:
        raise ConfigError([f"{source}:{exc.args[0] + offset}: not a real date ({exc.args[1]})"]) from None


def read_yaml(path: Path) -> tuple[object, dict]:
    """safe_load a file (parse), or ConfigError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    return parse(text, path)


def as_date(value) -> dt.date | None:
    """A YAML date, or text such as 2020-02-11; None when it is neither."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None
