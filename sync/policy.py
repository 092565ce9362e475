"""Load policies/: the campus, its reference lists and one schema per sheet.

Every file is checked before any data is read, and every mistake is reported at once with
its file, line and key path, e.g. ``policies/sheets/gate_log.yml:18: fields[5].type: ...``.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import expr
from .errors import ConfigError

# campus.yml `dates:`: the days the tool accepts anywhere (--date, cells, summaries). A typo such as
# 9999-12-31 or 0001-01-01 would otherwise be published and break every later build (date
# arithmetic overflows at the ends of the calendar). Checked by sync/config/campus.py.
DATES = {"earliest": dt.date(2000, 1, 1), "latest": dt.date(2100, 12, 31)}


# libyaml's safe loader when PyYAML was built with it (the wheels are): several times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def fold(text: str) -> str:
    """The form in which names and headers are compared: full-width, case and spaces ignored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).casefold()


@dataclass
class RefList:
    name: str
    title: dict
    items: list[dict]
    path: str
    extra: dict = field(default_factory=dict)     # top-level keys besides name/title/items
    lookup: dict[str, str] = field(default_factory=dict)   # folded id/zh/en/alias -> id

    def find(self, text: str) -> str | None:
        return self.lookup.get(fold(text))

    def item(self, item_id: str) -> dict:
        return next(i for i in self.items if i["id"] == item_id)


@dataclass
class Field:
    name: str
    type: str
    title: dict
    index: int
    pii: bool = False
    public: bool = False        # published on purpose (a duty roster's names), even where personal elsewhere
    required: bool = False
    unique: bool = False
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    reference: str | None = None
    values: list[dict] = field(default_factory=list)
    default: object = None
    decimal_slip: bool = False
    aliases: list[str] = field(default_factory=list)
    description: dict | None = None

    def headers(self) -> list[str]:
        return [self.title["zh"], self.title["en"], self.name, *self.aliases]


@dataclass
class Rule:
    code: str
    severity: str
    column: str
    when: list[expr.Condition]
    check: list[expr.Condition]
    message: dict


@dataclass
class Sheet:
    name: str
    title: dict
    fields: list[Field]
    path: str
    primary_key: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    missing_values: list[str] = field(default_factory=list)
    count_rule_breakers: bool = False   # rows that broke only the sheet's own rules still count
    optional: bool = False              # a workbook without this tab is not missing a sheet (the sign-off sheet)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def pii_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.pii]

    @property
    def public_fields(self) -> list[str]:
        return [f.name for f in self.fields if f.public]


@dataclass
class Side:
    """One side of a cross-check: the rows of a sheet on the day (`date` names the field that dates
    them; None for a snapshot sheet such as staff_status), narrowed by `where`, and what is taken of
    them: `sum` of a field, `distinct` values of a field, or the `rows`; for a roster check, `person`."""
    sheet: str
    date: str | None
    where: list[expr.Condition]
    measure: str            # sum | distinct | rows | person
    field: str | None
    reason: dict | None = None      # roster checks: what being found here means, {zh, en}


@dataclass
class CrossCheck:
    """A check between sheets (campus.yml `cross_checks:`). kind "compare": left op right within a
    tolerance, for each day the left side has rows; kind "roster": each person of `left` on the day
    must not be found in any of `against`."""
    code: str
    severity: str
    kind: str
    message: dict
    left: Side
    right: Side | None = None
    op: str = "=="
    tolerance: float = 0.0
    against: list[Side] = field(default_factory=list)
    hold_figures: list[str] = field(default_factory=list)   # public figures ("isolation.people") held too


@dataclass
class Policy:
    root: Path
    campus: dict
    lists: dict[str, RefList]
    sheets: dict[str, Sheet]
    cross_checks: list[CrossCheck] = field(default_factory=list)

    @property
    def thresholds(self) -> dict:
        return self.campus["thresholds"]

    @property
    def guards(self) -> dict:
        """max_row_loss and max_errors (campus.yml `guards:`, defaults filled in by sync/config)."""
        return self.campus["guards"]

    @property
    def dates(self) -> tuple[dt.date, dt.date]:
        """(earliest, latest) day accepted, both included (campus.yml `dates:`)."""
        found = self.campus.get("dates") or DATES       # defaults filled in by sync/config
        return found["earliest"], found["latest"]

    def check_day(self, day: dt.date, what: str = "--date") -> dt.date:
        """day, or ConfigError when it lies outside `dates:` (where a date enters from outside)."""
        earliest, latest = self.dates
        if not earliest <= day <= latest:
            raise ConfigError([f"{what} {day.isoformat()}: outside the dates this campus accepts, {earliest} to "
                               f"{latest} ({self.root / 'campus.yml'} dates:) / 日期超出范围"])
        return day

    @property
    def hold(self) -> frozenset[str]:
        """Issue codes whose value is held out of the public outputs (campus.yml `hold:`)."""
        return frozenset(self.campus.get("hold") or ())

    @property
    def signoff_required(self) -> bool:
        """campus.yml `signoff: required`: a day is published only once the office has signed it."""
        return self.campus.get("signoff", "off") == "required"

    @property
    def schedule(self) -> list[dict]:
        """[{at: "HH:MM", jobs: [...]}], campus time."""
        return list(self.campus.get("schedule") or [])

    @property
    def deadline(self) -> dt.time:
        """The daily report deadline (thresholds.report_deadline, "HH:MM", campus time)."""
        hour, minute = map(int, str(self.thresholds["report_deadline"]).split(":"))
        return dt.time(hour, minute)

    @property
    def timezone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.campus["timezone"])

    def today(self) -> dt.date:
        return dt.datetime.now(self.timezone).date()


def load(root: str | Path = "policies") -> Policy:
    """Read and check every file under root (sync/config's models); raise ConfigError listing all problems."""
    from .config import load_policy     # the models build these objects
    return load_policy(root)


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


def read_yaml(path: Path) -> tuple[object, dict]:
    """safe_load a file; a syntax error, an alias bomb or an impossible date becomes ConfigError
    with file:line. Parsed once: the data is constructed from the checked node tree."""
    try:
        text = path.read_text(encoding="utf-8")
        node = compose(text, path)
        data = SAFE_LOADER("").construct_document(node) if node is not None else None
        return data, node_lines(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError([f"{where}: YAML syntax error: {getattr(exc, 'problem', exc)}"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    except (ValueError, OverflowError) as exc:       # a well-formed but impossible date, e.g. 2020-02-30
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

