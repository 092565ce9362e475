"""The notice board: a page per notice, the board (urgent ones pinned), a page per audience, the
archive of expired notices, an Atom feed, and the announcement-bar partial for urgent notices.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape as xml_escape

from ..policy import RefList
from . import text as t
from .notices import Notice

ONLY = {"zh": ("仅有中文", "Chinese only"), "en": ("仅有英文", "English only")}


@dataclass
class Group:
    """A notice and its translations: one entry on the board."""
    slug: str
    versions: dict[str, Notice]

    @property
    def main(self) -> Notice:
        return self.versions.get("zh") or next(iter(self.versions.values()))

    @property
    def urgent(self) -> bool:
        return any(n.urgent for n in self.versions.values())

    def version(self, lang: str) -> Notice:
        """The notice in the site's language, or the one there is (its page says so)."""
        return self.versions.get(lang) or self.main


def groups(notices: list[Notice]) -> list[Group]:
    by_slug: dict[str, Group] = {}
    for n in notices:
        by_slug.setdefault(n.slug, Group(n.slug, {})).versions[n.language] = n
    return sorted(by_slug.values(), key=lambda g: (g.main.date, g.slug), reverse=True)


def url_of(page: str) -> str:
    """site/notices/x.md is served at notices/x.html (no directory URLs: the site works from disk)."""
    return page[:-3] + ".html"


def only_mark(n: Notice, lang: str) -> str:
    """The visible mark of a notice shown in the other language's site ('' when it is in lang)."""
    if n.language == lang:
        return ""
    zh, en = ONLY[n.language]
    return f'<span class="cd-only" lang="{lang}">{t.html(t.say(lang)(zh, en))}</span>'


class Board:
    def __init__(self, notices: list[Notice], audiences: RefList, units: RefList, today: dt.date):
        self.today = today
        self.audiences = {a["id"]: a for a in audiences.items}
        self.units = {u["id"]: u for u in units.items}
        published = [n for n in notices if n.published(today)]
        self.all = groups(published)
        self.active = [g for g in self.all if not g.main.expired(today)]
        self.expired = [g for g in self.all if g.main.expired(today)]
        self.urgent = [g for g in self.active if g.urgent]

    def audience_names(self, n: Notice, lang: str) -> str:
        return t.say(lang)("、", ", ").join(t.name(self.audiences.get(a), lang) or a for a in n.audience)

    def link(self, g: Group, lang: str, prefix: str = "") -> str:
        """The notice's title in the site's language, linked, with a mark when it has no translation."""
        n = g.version(lang)
        title = t.md(n.title)
        if n.language != lang:
            title = f'<span lang="{n.language}">{title}</span>'
        mark = only_mark(n, lang)
        return f"[{title}]({prefix}{g.slug}.md)" + (f" {mark}" if mark else "")

    def entry(self, g: Group, lang: str, prefix: str = "") -> str:
        """One line of a list: the linked title, date and audience."""
        flag = f"**{t.say(lang)('紧急', 'Urgent')}** · " if g.urgent else ""
        return (f"- {flag}{self.link(g, lang, prefix)}  \n"
                f"  <small>{g.main.date} · {t.md(self.audience_names(g.main, lang))}</small>")

    def pages(self, lang: str = "zh") -> dict[str, str]:
        """Files under site/notices/ (or site/en/notices/) for one language."""
        out = {f"{g.slug}.md": self._notice_page(g, lang) for g in self.all}
        out["index.md"] = self._index(lang)
        out["archive.md"] = self._archive(lang)
        for aid, item in self.audiences.items():
            out[f"audience/{aid}.md"] = self._audience(aid, item, lang)
        return out

    def _notice_page(self, g: Group, lang: str) -> str:
        _ = t.say(lang)
        n = g.version(lang)
        lines = [f"<small>{n.date} · {_('对象', 'For')}: {t.md(self.audience_names(n, lang))}"
                 + (f" · {_('发布', 'From')}: {t.md(t.name(self.units.get(n.issuer), lang))}" if n.issuer else "")
                 + "</small>", ""]
        if n.language != lang:
            zh, en = ONLY[n.language]
            lines += [f'!!! note "{_(zh, en)}"', "",
                      "    " + _("本通知暂无中文版，以下为英文原文。",
                                   "This notice has no English version yet; the Chinese text follows."), ""]
        if n.expired(self.today):
            lines += [f'!!! warning "{_("已过期", "Expired")}"', "",
                      "    " + _(f"本通知已于 {n.expires} 过期，仅作存档，见[往期通知](archive.md)。",
                                 f"This notice expired on {n.expires}; it is kept in the [archive](archive.md)."), ""]
        elif n.urgent:
            lines += [f'!!! danger "{_("紧急通知", "Urgent notice")}"', "",
                      f"    {_('有效期至', 'Valid until')}: {n.expires or _('另行通知', 'further notice')}", ""]
        body = n.body
        if n.language != lang:      # the reader's software must know the text is in the other language
            body = f'<div lang="{n.language}" markdown>\n\n{body.strip()}\n\n</div>\n'
        heading = f'{{ lang="{n.language}" }}' if n.language != lang else ""
        return t.page(n.title, "\n".join(lines) + "\n" + body, heading=heading, search={"boost": 2})

    def _index(self, lang: str) -> str:
        _ = t.say(lang)
        body = [f"[{_('订阅', 'Atom feed')}](feed.xml) · [{_('往期通知', 'Archive')}](archive.md)", "",
                _("按对象：", "By audience: ") + " · ".join(f"[{t.md(t.name(a, lang))}](audience/{aid}.md)"
                                                         for aid, a in self.audiences.items()), ""]
        if self.urgent:
            body += ["## " + _("置顶", "Pinned"), ""] + [self.entry(g, lang) for g in self.urgent] + [""]
        rest = [g for g in self.active if not g.urgent]
        body += ["## " + _("全部通知", "All notices"), ""] + ([self.entry(g, lang) for g in rest]
                                                             or [_("暂无通知。", "No notices.")])
        return t.page(_("通知公告", "Notices"), "\n".join(body))

    def _audience(self, aid: str, item: dict, lang: str) -> str:
        _ = t.say(lang)
        mine = [g for g in self.active if aid in g.main.audience or "everyone" in g.main.audience]
        mine.sort(key=lambda g: not g.urgent)     # stable: urgent first, then newest first
        body = [f"[{_('全部通知', 'All notices')}](../index.md)", ""] + (
            [self.entry(g, lang, "../") for g in mine] or [_("暂无通知。", "No notices.")])
        return t.page(_(f"通知公告：{t.name(item, lang)}", f"Notices: {t.name(item, lang)}"), "\n".join(body))

    def _archive(self, lang: str) -> str:
        _ = t.say(lang)
        body = [_("过期的通知不在公告栏和订阅中，保存在这里。", "Expired notices leave the board and the feed; "
                  "they are kept here."), ""]
        body += [self.entry(g, lang) + f" · {_('过期', 'Expired')} {g.main.expires}" for g in self.expired] or [
            _("暂无。", "None.")]
        return t.page(_("往期通知", "Archive"), "\n".join(body))

    def announce(self, lang: str = "zh") -> str:
        """The theme partial for the announcement bar: empty when nothing is urgent."""
        if not self.urgent:
            return ""
        _ = t.say(lang)
        links = " · ".join(f'<a href="{{{{ \'notices/{url_of(g.slug + ".md")}\' | url }}}}">{t.tpl(g.version(lang).title)}</a>'
                           for g in self.urgent)
        return f'<div class="cd-urgent"><strong>{_("紧急通知", "Urgent")}:</strong> {links}</div>\n'

    def feed(self, site_url: str, campus: dict, tz: dt.tzinfo, lang: str = "zh") -> str:
        """Atom: every active notice in the site's language (or the one it has).
        Without site_url, links are relative to the feed."""
        _ = t.say(lang)
        base = site_url.rstrip("/") + ("/en" if lang == "en" else "") + "/notices/" if site_url else ""
        entries = [(g, g.version(lang)) for g in self.active]
        updated = max((n.date for _g, n in entries), default=self.today)
        out = ['<?xml version="1.0" encoding="utf-8"?>',
               f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">',
               f"<title>{xml_escape(t.name(campus, lang))} {_('通知公告', 'notices')}</title>",
               f"<id>{xml_escape(base or f'urn:campus-desk:notices:{lang}')}</id>",
               f'<link rel="self" href="{xml_escape(base)}feed.xml"/>',
               f"<updated>{_stamp(updated, tz)}</updated>"]
        for g, n in entries:
            link = base + url_of(g.slug + ".md")
            out += [f'<entry xml:lang="{n.language}">', f"<title>{xml_escape(_clean(n.title))}</title>",
                    f'<link href="{xml_escape(link)}"/>',
                    f"<id>{xml_escape(link if base else f'urn:campus-desk:notice:{n.slug}:{lang}')}</id>",
                    f"<updated>{_stamp(n.date, tz)}</updated>",
                    f"<author><name>{xml_escape(t.name(self.units.get(n.issuer), lang) or t.name(campus, lang))}</name></author>",
                    *[f'<category term="{xml_escape(a)}"/>' for a in n.audience],
                    f"<summary>{xml_escape(excerpt(n.body))}</summary>", "</entry>"]
        return "\n".join(out + ["</feed>"]) + "\n"


def _stamp(day: dt.date, tz: dt.tzinfo) -> str:
    return dt.datetime.combine(day, dt.time(0), tz).isoformat()


def _clean(text: str) -> str:
    """XML 1.0 forbids most control characters, even escaped."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)


def excerpt(body: str, size: int = 200) -> str:
    """The first paragraph as plain text, for the feed and the home page."""
    para = next((p for p in re.split(r"\n\s*\n", body) if p.strip() and not p.lstrip().startswith(("#", "!!!"))), "")
    plain = re.sub(r"<[^>]*>|[*_`#>]|!?\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", para)
    plain = _clean(" ".join(plain.split()))
    return plain if len(plain) <= size else plain[:size].rstrip() + "…"
