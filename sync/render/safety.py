"""Notices and plans are content, not code: what their Markdown may not contain.

The site promises that a page runs only our scripts and loads nothing from another host. A
notice or plan body that carried raw HTML could break both, so every body is parsed (Markdown by
markdown-it-py, the raw HTML in it by the standard library's html.parser) and these are refused,
each at its file:line:
- <script>, <iframe>, <object>, <embed>, <frame>, <base> and <form> elements;
- on* event-handler attributes;
- javascript: (and vbscript:, data: other than images) in links and sources;
- anything a page would load from another host (src, srcset, poster, data, <link href>, url() in
  style), in HTML or as a Markdown image. A link to another site is fine: it loads nothing.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

from markdown_it import MarkdownIt

from ..config import Problem
from . import text as t

FORBIDDEN = {"script", "iframe", "object", "embed", "frame", "frameset", "base", "form", "applet"}
LOADS = {"src", "srcset", "poster", "data", "background", "formaction", "lowsrc", "dynsrc"}
LINKS = {"href", "xlink:href", "action", "cite", "longdesc"}
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")\s]+)", re.I)


class _EveryLink(MarkdownIt):
    """markdown-it drops javascript: links, but Python-Markdown (the site's) keeps them: see them all."""

    def validateLink(self, url: str) -> bool:
        return True


_MD = _EveryLink("commonmark")


def _scheme(url: str) -> str:
    # Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
    cleaned = re.sub(r"[\x00-\x20]", "", url).lower()
    return cleaned.split(":", 1)[0] if ":" in cleaned.split("/", 1)[0] else ""


def _other_host(url: str) -> bool:
    url = url.strip()
    if url.startswith("//"):
        return True
    return bool(urlparse(url).netloc) or _scheme(url) not in ("", "data")


def check_url(url: str, loads: bool) -> tuple[str, str] | None:
    """(code, why) a URL may not appear in a notice, or None. loads: the page would fetch it (an image...)."""
    scheme = _scheme(url)
    if scheme in ("javascript", "vbscript"):
        return "script-link", f"{scheme}: link {url.strip()[:60]!r}"
    if scheme == "data" and not (loads and re.sub(r"\s", "", url).lower().startswith("data:image/")
                                 and "svg" not in url.lower()):
        return "data-url", f"data: URL {url.strip()[:40]!r}"
    if loads and _other_host(url):
        return "other-host", f"a resource from another host: {url.strip()[:80]!r} (pages load nothing from another host)"
    return None


class _Html(HTMLParser):
    def __init__(self, first_line: int):
        super().__init__(convert_charrefs=True)
        self.first_line = first_line
        self.found: list[tuple[int, str, str]] = []

    def _at(self, code: str, message: str) -> None:
        self.found.append((self.first_line + self.getpos()[0] - 1, code, message))

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN:
            self._at("forbidden-element", f"<{tag}> is not allowed in a notice or plan")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self._at("event-handler", f"<{tag} {name}=...>: event-handler attributes are not allowed")
            elif name in LOADS or (tag == "link" and name == "href") or name == "style":
                urls = _CSS_URL.findall(value) if name == "style" else (
                    [u.strip().split(" ")[0] for u in value.split(",")] if name == "srcset" else [value])
                for url in urls:
                    why = check_url(url, loads=True)
                    if why:
                        self._at(why[0], f"<{tag} {name}>: {why[1]}")
            elif name in LINKS:
                why = check_url(value, loads=False)
                if why:
                    self._at(why[0], f"<{tag} {name}>: {why[1]}")

    handle_startendtag = handle_starttag


def _html(text: str, first_line: int) -> list[tuple[int, str, str]]:
    parser = _Html(first_line)
    parser.feed(text)
    parser.close()
    return parser.found


def check_body(body: str, first_line: int) -> list[tuple[int, str, str]]:
    """(line in the file, code, message) for everything unsafe in a Markdown body at first_line."""
    found: list[tuple[int, str, str]] = []
    for token in _MD.parse(body):
        line = first_line + (token.map[0] if token.map else 0)
        if token.type == "html_block":
            found += _html(token.content, line)
        for child in token.children or []:
            if child.type == "html_inline":
                found += _html(child.content, line)
            elif child.type in ("link_open", "image"):
                url = str(child.attrs.get("href" if child.type == "link_open" else "src", ""))
                why = check_url(url, loads=child.type == "image")
                if why:
                    found.append((line, why[0], f"{'image' if child.type == 'image' else 'link'}: {why[1]}"))
    return sorted(set(found))


def check_file(path: Path) -> list[Problem]:
    """Everything unsafe in the body of a notice or plan (its front matter is checked elsewhere)."""
    meta, _lines, body, body_line, _problems = t.split_front_matter(path)
    if meta is None:
        return []
    return [Problem(path, line, "", message, code) for line, code, message in check_body(body, body_line)]


def symlinks_out(root: Path) -> list[Problem]:
    """Files or folders under policies/ that are symlinks to somewhere outside it: refused, since
    a notice must be reviewed where it lives (a link to /etc/passwd would be published)."""
    inside = root.resolve()
    out = []
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(inside):
                out.append(Problem(path, 1, "", f"a symlink to {target}, outside {root}: refused (what is published "
                                                f"must be reviewed in policies/)", "symlink-outside"))
    return out
