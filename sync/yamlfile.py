"""YAML files with the line of every key path, so that a message can say file:line.

Safe loading only (libyaml's when PyYAML has it); a syntax error, an unreadable file or an
impossible date becomes ConfigError naming its place.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ConfigError

# libyaml's safe loader when PyYAML was built with it (the wheels are): several times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def node_lines(node, offset: int = 0) -> dict[tuple, int]:
    """Map each key path of a composed YAML node to its 1-based line (+ offset), for messages."""
    lines: dict[tuple, int] = {}

    def walk(n, path):
        lines.setdefault(path, n.start_mark.line + 1 + offset)
        if isinstance(n, yaml.MappingNode):
            for key, value in n.value:
                lines[path + (key.value,)] = key.start_mark.line + 1 + offset
                walk(value, path + (key.value,))
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                walk(item, path + (i,))

    if node is not None:
        walk(node, ())
    return lines


def yaml_lines(text: str) -> dict[tuple, int]:
    return node_lines(yaml.compose(text, Loader=SAFE_LOADER))


def line_of(lines: dict[tuple, int], keys: tuple) -> int | None:
    """The line of a key path, or of its closest parent that has one."""
    probe = tuple(keys)
    while probe and probe not in lines:
        probe = probe[:-1]
    return lines.get(probe)


def read_yaml(path: Path) -> tuple[object, dict]:
    """safe_load a file; a syntax error becomes ConfigError with file:line."""
    try:
        text = path.read_text(encoding="utf-8")
        return yaml.load(text, Loader=SAFE_LOADER), yaml_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError([f"{where}: YAML syntax error: {getattr(exc, 'problem', exc)}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    except ValueError as exc:       # a well-formed but impossible date, e.g. 2020-02-30
        raise ConfigError([f"{_bad_date_place(path, text)}: not a real date ({exc})"]) from None


def _bad_date_place(path: Path, text: str) -> str:
    """file:line of the first date scalar that PyYAML cannot turn into a date."""
    loader = yaml.SafeLoader(text)
    stack = [loader.get_single_node()]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
            try:
                loader.construct_yaml_timestamp(node)
            except ValueError:
                return f"{path}:{node.start_mark.line + 1}"
        elif isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in reversed(node.value) for v in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return str(path)

