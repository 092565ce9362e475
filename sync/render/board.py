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

LANG_NAME = {"zh": "中文版", "en": "English version"}


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


def groups(notices: list[Notice]) -> list[Group]:
    by_slug: dict[str, Group] = {}
    for n in notices:
        by_slug.setdefault(n.slug, Group(n.slug, {})).versions[n.language] = n
    return sorted(by_slug.values(), key=lambda g: (g.main.date, g.slug), reverse=True)


def url_of(page: str) -> str:
    """site/notices/x.md is served at notices/x/ (use_directory_urls)."""
    return page[:-3] + "/" if not page.endswith("index.md") else page[:-8]


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

    def audience_names(self, n: Notice) -> str:
        return "、".join(t.bi(self.audiences.get(a)) or a for a in n.audience)

    def entry(self, g: Group, prefix: str = "") -> str:
        """One line of a list: linked titles of every version, date and audience."""
        links = " / ".join(f"[{t.md(n.title)}]({prefix}{n.page})" for n in
                           sorted(g.versions.values(), key=lambda n: n.language != "zh"))
        flag = "**紧急 Urgent** · " if g.urgent else ""
        return f"- {flag}{links}  \n  <small>{g.main.date} · {t.md(self.audience_names(g.main))}</small>"

    def pages(self) -> dict[str, str]:
        """Files under site/notices/."""
        out = {g_page: text for g in self.all for g_page, text in self._notice_pages(g)}
        out["index.md"] = self._index()
        out["archive.md"] = self._archive()
        for aid, item in self.audiences.items():
            out[f"audience/{aid}.md"] = self._audience(aid, item)
        return out

    def _notice_pages(self, g: Group):
        for n in g.versions.values():
            lines = [f"<small>{n.date} · 对象 For: {t.md(self.audience_names(n))}"
                     + (f" · 发布 From: {t.md(t.bi(self.units.get(n.issuer)))}" if n.issuer else "") + "</small>", ""]
            others = [o for o in g.versions.values() if o is not n]
            if others:
                lines += [" · ".join(f"[{LANG_NAME.get(o.language, o.language)}]({o.page})" for o in others), ""]
            if n.expired(self.today):
                lines += ['!!! warning "已过期 Expired"', "",
                          f"    本通知已于 {n.expires} 过期，仅作存档。 This notice expired on {n.expires}; "
                          "it is kept in the [archive](archive.md).", ""]
            elif n.urgent:
                lines += ['!!! danger "紧急通知 Urgent notice"', "",
                          f"    有效期至 Valid until: {n.expires or '另行通知 further notice'}", ""]
            yield n.page, t.page(n.title, "\n".join(lines) + "\n" + n.body, search={"boost": 2})

    def _index(self) -> str:
        body = ["[订阅 Atom feed](feed.xml) · [往期通知 Archive](archive.md)", "",
                "按对象 By audience: " + " · ".join(f"[{t.md(t.bi(a))}](audience/{aid}.md)"
                                                  for aid, a in self.audiences.items()), ""]
        if self.urgent:
            body += ["## 置顶 Pinned", ""] + [self.entry(g) for g in self.urgent] + [""]
        rest = [g for g in self.active if not g.urgent]
        body += ["## 全部通知 All notices", ""] + ([self.entry(g) for g in rest] or ["暂无通知。 No notices."])
        return t.page("通知公告 Notices", "\n".join(body))

    def _audience(self, aid: str, item: dict) -> str:
        mine = [g for g in self.active if aid in g.main.audience or "everyone" in g.main.audience]
        mine.sort(key=lambda g: not g.urgent)     # stable: urgent first, then newest first
        body = ["[全部通知 All notices](../index.md)", ""] + ([self.entry(g, "../") for g in mine]
                                                          or ["暂无通知。 No notices."])
        return t.page(f"通知公告：{t.bi(item)}", "\n".join(body))

    def _archive(self) -> str:
        body = ["过期的通知不在公告栏和订阅中，保存在这里。 Expired notices leave the board and the feed; "
                "they are kept here.", ""]
        body += [self.entry(g) + f" · 过期 Expired {g.main.expires}" for g in self.expired] or ["暂无。 None."]
        return t.page("往期通知 Archive", "\n".join(body))

    def announce(self) -> str:
        """The theme partial for the announcement bar: empty when nothing is urgent."""
        if not self.urgent:
            return ""
        links = " · ".join(f'<a href="{{{{ \'notices/{url_of(g.main.page)}\' | url }}}}">{t.tpl(g.main.title)}</a>'
                           for g in self.urgent)
        return f'<div class="cd-urgent"><strong>紧急通知 Urgent:</strong> {links}</div>\n'

    def feed(self, site_url: str, campus: dict, tz: dt.tzinfo) -> str:
        """Atom: every version of every active notice. Without site_url, links are relative to the feed."""
        base = (site_url.rstrip("/") + "/notices/") if site_url else ""
        entries = [n for g in self.active for n in g.versions.values()]
        updated = max((n.date for n in entries), default=self.today)
        out = ['<?xml version="1.0" encoding="utf-8"?>',
               '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh">',
               f"<title>{xml_escape(t.bi(campus))} 通知公告 Notices</title>",
               f"<id>{xml_escape(base or 'urn:campus-desk:notices')}</id>",
               f'<link rel="self" href="{xml_escape(base)}feed.xml"/>',
               f"<updated>{_stamp(updated, tz)}</updated>"]
        for n in entries:
            link = base + url_of(n.page)
            out += [f'<entry xml:lang="{n.language}">', f"<title>{xml_escape(_clean(n.title))}</title>",
                    f'<link href="{xml_escape(link)}"/>',
                    f"<id>{xml_escape(link if base else f'urn:campus-desk:notice:{n.slug}:{n.language}')}</id>",
                    f"<updated>{_stamp(n.date, tz)}</updated>",
                    f"<author><name>{xml_escape(t.bi(self.units.get(n.issuer)) or t.bi(campus))}</name></author>",
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
