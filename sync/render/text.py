"""Small helpers the site pages share: escaping, front matter, and writing a tree of generated files.

Anything typed by a person (a unit or donor name from a sheet, a notice title) is escaped before
it reaches a page. Three contexts, three escapers:
- `html(x)`  inside raw HTML (SVG, figure cards);
- `md(x)`    inside Markdown text (also stops links, emphasis, table cells and headings);
- `tpl(x)`   inside a generated Jinja partial of the theme (also stops `{{`, `{%`, `{#`).
"""
from __future__ import annotations

import html as _html
import json
import re
import shutil
from pathlib import Path

import yaml

from ..errors import ConfigError
from ..yamlfile import line_of, parse

_MD = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "|": "&#124;", "[": "&#91;", "]": "&#93;",
       "`": "&#96;", "*": "&#42;", "_": "&#95;", "\\": "&#92;", "#": "&#35;", "!": "&#33;", "{": "&#123;",
       "}": "&#125;", "\r": " ", "\n": " "}


def html(value) -> str:
    return _html.escape("" if value is None else str(value), quote=True)


def md(value) -> str:
    return "".join(_MD.get(ch, ch) for ch in ("" if value is None else str(value)))


def tpl(value) -> str:
    return html(value).replace("{", "&#123;").replace("}", "&#125;")


def bi(item: dict | None, sep: str = " ") -> str:
    """The zh and en names of a list item, e.g. 卫生所 Campus Clinic (raw text, escape it after)."""
    if not item:
        return ""
    return sep.join(str(item[k]) for k in ("zh", "en") if item.get(k))


def name(item: dict | None, lang: str) -> str:
    """The name of a list item in one language (raw text, escape it after); zh where en is missing."""
    if not item:
        return ""
    return str(item.get(lang) or item.get("zh") or item.get("en") or "")


def say(lang: str):
    """A chooser for texts given in both languages: _ = say(lang); _("确诊", "Confirmed")."""
    return (lambda zh, en: en) if lang == "en" else (lambda zh, en: zh)


def front_matter(meta: dict) -> str:
    """YAML front matter. Titles must already be HTML-escaped: Material prints page.meta.title raw."""
    lines = ["---"]
    for key, value in meta.items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False, allow_nan=False)}")
    return "\n".join(lines + ["---", ""]) + "\n"


def page(title: str, body: str, heading: str = "", **meta) -> str:
    """A Markdown page: front matter (escaped title) and a matching first heading (with the
    attribute list `heading`, e.g. "{ .cd-title }", when given)."""
    mark = f" {heading}" if heading else ""
    return front_matter({"title": html(title), **meta}) + f"# {md(title)}{mark}\n\n{body.rstrip()}\n"


def table(headers: list[str], rows: list[list], align: str = "") -> str:
    """A table as lean HTML; cells are escaped here. align: one letter per column, l or r. Each cell
    carries its column's name (data-label) so that on a phone the rows stack as label: value
    (site/assets/site.css) instead of scrolling sideways with key columns off screen."""
    right = [align[i:i + 1] == "r" for i in range(len(headers))]
    heads = [md(h) for h in headers]

    def cell(i, value):
        style = ' class="cd-num"' if right[i] else ""
        return f'<td data-label="{heads[i]}"{style}>{md(value)}</td>'

    out = ["<table data-stack>", "<tr>" + "".join(f"<th>{h}</th>" for h in heads) + "</tr>"]
    out += ["<tr>" + "".join(cell(i, c) for i, c in enumerate(row)) + "</tr>" for row in rows]
    return "\n".join(out + ["</table>"]) + "\n"


class _Loader(yaml.SafeLoader):
    """SafeLoader, except that an impossible date (2020-02-30) stays text, so that the checks can
    name it with its line instead of PyYAML raising a bare ValueError."""


def _timestamp(loader, node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n?", re.S | re.M)


def split_front_matter(path: Path) -> tuple[dict | None, dict, str, int, list[str]]:
    """(meta, key path -> line in the file, body, first line of the body, problems)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, {}, "", 1, [f"{path}: cannot read: {exc}"]
    match = FRONT.match(text)
    if not match:
        return None, {}, text, 1, [f"{path}:1: expected front matter between '---' lines at the top"]
    block = match.group(1)
    body_line = text[:match.end()].count("\n") + 1
    try:
        meta, lines = parse(block, path, 1, _Loader)                  # 1: the opening ---
    except ConfigError as exc:          # a syntax error, an alias bomb or a recursive alias
        return None, {}, "", body_line, exc.problems
    if not isinstance(meta, dict):
        return None, {}, "", body_line, [f"{path}:2: expected a mapping of keys in the front matter"]
    return meta, lines, text[match.end():], body_line, []


def where(path: Path, lines: dict, *keys) -> str:
    """file:line of a key path (or of its closest parent)."""
    return f"{path}:{line_of(lines, keys) or 1}"


class Tree:
    """The generated files of one build: written together, then folders are pruned of stale files."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.files: dict[str, str] = {}

    def add(self, rel: str, text: str) -> None:
        self.files[rel] = text

    def write(self, folders: list[str], single: list[str]) -> list[Path]:
        """Replace the given generated folders and single files by this tree's content."""
        for folder in folders:
            target = self.root / folder
            if target.is_symlink() or target.is_file():
                raise ConfigError([f"{target}: expected a generated folder"])
            shutil.rmtree(target, ignore_errors=True)
        for rel in single:
            if rel not in self.files:
                (self.root / rel).unlink(missing_ok=True)
        written = []
        for rel, text in sorted(self.files.items()):
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        return written


def unsearchable(markdown: str) -> str:
    """Keep a daily report out of the search index. A year of them is figures and tables: they would
    make the index four times larger (downloaded by every phone that searches) and the build several
    seconds slower, while the reports index, the trends and the home page lead to them."""
    flag = "search:\n  exclude: true\n"
    return f"---\n{flag}{markdown[4:]}" if markdown.startswith("---\n") else f"---\n{flag}---\n\n{markdown}"
