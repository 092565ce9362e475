"""The notice site, built once for the module from the demo workbook (14 days of summaries written
by the real `run`), the bundled policies, one hostile notice and hostile names in a summary."""
from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest

from sync import jobs
from sync.errors import ConfigError
from sync.policy import fold, load as load_policy
from sync.read import read_source
from sync.render import site as site_render

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo.xlsx"
DAY = dt.date(2020, 2, 23)
FIRST = dt.date(2020, 2, 10)
XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
HOSTILE_NOTICE = "2020-02-22-hostile.zh.md"


def make_project(tmp: Path, hostile: bool = True) -> Path:
    """A copy of the project's site sources and policies, with the demo's summaries, in tmp."""
    for config in ("mkdocs.yml", "mkdocs.en.yml"):
        shutil.copy(ROOT / config, tmp / config)
    for part in ("overrides", "assets"):
        shutil.copytree(ROOT / "site" / part, tmp / "site" / part, ignore=shutil.ignore_patterns("generated"))
    shutil.copytree(ROOT / "policies", tmp / "policies")
    days = [FIRST + dt.timedelta(days=i) for i in range((DAY - FIRST).days + 1)]
    jobs.run(DEMO, tmp / "policies", days, tmp / "data", tmp / "site")
    if hostile:
        (tmp / "policies" / "notices" / HOSTILE_NOTICE).write_text(
            f"---\ntitle: '{XSS[0]} {XSS[1]}'\ndate: 2020-02-22\naudience: [everyone]\nurgent: true\n"
            "language: zh\n---\n正文 Body.\n", encoding="utf-8")
        path = tmp / "data" / "summaries" / f"{DAY}.json"
        summary = json.loads(path.read_text(encoding="utf-8"))
        summary["supplies"]["donors"] += XSS
        summary["reporting"]["missing"].append({"id": "ghost", "zh": XSS[0], "en": XSS[1]})
        path.write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")
    return tmp


def build(tmp: Path, day: dt.date = DAY) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SITE_URL", raising=False)     # links relative to the page, as on a local server
        return jobs.build(tmp / "policies", tmp / "data" / "summaries", tmp / "mkdocs.yml", day).site_dir


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    tmp = make_project(tmp_path_factory.mktemp("site"))
    build(tmp)
    return tmp


@pytest.fixture(scope="module")
def public(project):
    return project / "public"


def summaries(project) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((project / "data" / "summaries").glob("????-??-??.json"))}


def notices(project):
    content = site_render.load(project / "policies")
    assert not content.problems
    return content.notices


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# -- a page for everything -------------------------------------------------------------------------

def test_a_page_for_every_published_notice_and_none_for_future_ones(project, public):
    found = notices(project)
    assert len(found) > 10
    for n in found:
        for root in (public, public / "en"):        # every notice in both sites
            page = root / "notices" / f"{n.slug}.html"
            assert page.is_file() == (n.date <= DAY), page
    future = [n for n in found if n.date > DAY]
    assert future, "the example notices include one dated after the build day"


def test_each_language_has_its_own_chrome_and_lang_attribute(public):
    zh, en = read(public / "index.html"), read(public / "en" / "index.html")
    assert '<html lang="zh"' in zh and '<html lang="en"' in en
    assert "通知公告" in zh and "Notices</" not in zh.split('class="md-content"')[0]
    head = en.split('class="md-content"')[0]
    assert "Notices" in head and "通知公告" not in head and "Search" in head
    assert (public / "search" / "search_index.js").is_file() and (public / "en" / "search" / "search_index.js").is_file()


def test_the_language_switch_goes_to_the_same_page(public):
    zh = read(public / "notices" / "2020-02-12-campus-entry-control.html")
    en = read(public / "en" / "notices" / "2020-02-12-campus-entry-control.html")
    assert 'href="../en/notices/2020-02-12-campus-entry-control.html" hreflang="en"' in zh
    assert 'href="../../notices/2020-02-12-campus-entry-control.html" hreflang="zh"' in en
    assert 'rel="alternate"' not in zh      # Material would fetch a sitemap.xml for each


def test_a_notice_without_english_is_in_the_english_site_marked_chinese_only(public):
    en = read(public / "en" / "notices" / "2020-02-14-staff-return.html")
    assert '<p class="admonition-title">Chinese only</p>' in en and '<div lang="zh">' in en
    assert '<h1 id="关于教职工返校报备和居家隔离的要求" lang="zh">' in en
    board = read(public / "en" / "notices" / "index.html")
    entry = board[board.index("2020-02-14-staff-return.html"):][:400]
    assert "Chinese only" in entry
    both = read(public / "en" / "notices" / "2020-02-12-counselling-hotline.html")
    assert "cd-only" not in both and "counselling" in both.lower()


def test_pages_are_in_one_language_only(public):
    for name in ("plans/isolation.html", "plans/disinfection.html", f"reports/{DAY}.html", "index.html"):
        en = read(public / "en" / name)
        body = en[en.index('<article'):en.index('</article>')]
        assert not re.search(r"[\u4e00-\u9fff]", re.sub(r'<(span|div|h1)[^>]* lang="zh">.*?</\1>|<svg.*?</svg>', "", body, flags=re.S)
                             .replace("中文", "")), name
        zh = read(public / name)
        zbody = zh[zh.index('<article'):zh.index('</article>')]
        assert " days" not in zbody and "Reported" not in zbody, name
    assert "14 天" in read(public / "plans" / "isolation.html") and "14 days" in read(public / "en" / "plans" / "isolation.html")
    assert "37.3 ℃" in read(public / "plans" / "isolation.html") and "37.3 ℃" in read(public / "en" / "plans" / "isolation.html")


def test_a_page_for_every_plan(project, public):
    assert "含氯消毒剂" in read(public / "plans" / "disinfection.html")
    stems = {p.name.split(".")[0] for p in (project / "policies" / "plans" / "contingency").glob("*.md")}
    assert {"delayed_opening", "staggered_return", "teaching", "gate_control", "isolation", "zero_report"} <= stems
    for stem in stems:
        assert (public / "plans" / f"{stem}.html").is_file(), stem
        assert (public / "en" / "plans" / f"{stem}.html").is_file(), stem


def test_plan_tables_come_from_the_lists(project, public):
    policy = load_policy(project / "policies")
    page = read(public / "plans" / "staggered_return.html")
    english = read(public / "en" / "plans" / "staggered_return.html")
    for batch in policy.lists["batches"].items:
        assert batch["zh"] in page and str(batch["date"]) in page
        assert batch["en"] in english
    assert "37.3" in page and "<!-- value" not in page
    zero = read(public / "plans" / "zero_report.html")
    assert policy.thresholds["report_deadline"] in zero


def test_a_page_for_every_day_and_the_index(project, public):
    days = summaries(project)
    assert len(days) == 14
    for root in (public, public / "en"):
        index = read(root / "reports" / "index.html")
        for day in days:
            assert (root / "reports" / f"{day}.html").is_file()
            assert f'href="{day}.html"' in index


# -- notices: board, expiry, urgent, feed ---------------------------------------------------------------

def test_expired_notices_leave_the_board_and_feed_but_stay_in_the_archive(public):
    expired = "2020-02-13-living-allowance"
    board, feed = read(public / "notices" / "index.html"), read(public / "notices" / "feed.xml")
    assert expired not in board and expired not in feed
    assert expired in read(public / "notices" / "archive.html")
    assert "已过期" in read(public / "notices" / f"{expired}.html")
    assert "Expired" in read(public / "en" / "notices" / f"{expired}.html")
    assert "2020-02-14-staff-return" in board and "2020-02-14-staff-return" in feed


def test_urgent_notices_are_in_the_bar_and_pinned(public):
    html = read(public / "notices" / "index.html")
    bar = html[html.index('class="md-banner"'):html.index("</aside>", html.index('class="md-banner"'))]
    assert "2020-02-12-campus-entry-control.html" in bar
    assert "2020-02-20-isolation-north-building.html" in bar
    board = read(public / "notices" / "index.html")
    pinned, rest = board.split("全部通知")[0], board.split("全部通知")[1]
    assert "2020-02-20-isolation-north-building.html" in pinned and "2020-02-20-isolation-north-building.html" not in rest
    home = read(public / "index.html")      # the home page lists them after the figures instead
    assert 'class="md-banner"' not in home
    assert home.index("cd-cards") < home.index("admonition danger") and "2020-02-20-isolation-north-building.html" in home
    for page in public.rglob("*.html"):      # every other page carries the bar
        if page.name != "404.html" and page.parent.name != "public" and page.parent != public / "en":
            assert 'class="md-banner"' in read(page), page


def test_no_announcement_bar_without_urgent_notices(tmp_path):
    project = make_project(tmp_path, hostile=False)
    for path in (project / "policies" / "notices").glob("*.md"):
        path.write_text(read(path).replace("urgent: true\n", ""), encoding="utf-8")
    site_render.render(project / "policies", project / "data" / "summaries", project / "site", DAY)
    for lang in ("zh", "en"):
        assert read(project / "site" / "overrides" / "generated" / f"announce.{lang}.html") == ""


def test_feed_is_atom_with_every_active_notice(project, public):
    ns = {"a": "http://www.w3.org/2005/Atom"}
    active = {n.slug for n in notices(project) if n.date <= DAY and not n.expired(DAY)}
    for root, lang in ((public, "zh"), (public / "en", "en")):
        feed = ET.fromstring((root / "notices" / "feed.xml").read_bytes())
        entries = feed.findall("a:entry", ns)
        assert len(entries) == len(active) and entries
        links = {e.find("a:link", ns).get("href") for e in entries}
        assert "2020-02-12-campus-entry-control.html" in links
        assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
    assert 'href="notices/feed.xml"' in read(public / "index.html")


def test_feed_links_are_absolute_with_a_site_url(project, tmp_path):
    site_render.render(project / "policies", project / "data" / "summaries", tmp_path, DAY,
                       "https://example.org/desk/")
    for feed, base in ((tmp_path / "notices" / "feed.xml", "https://example.org/desk/notices/"),
                       (tmp_path / "en" / "notices" / "feed.xml", "https://example.org/desk/en/notices/")):
        root = ET.fromstring(feed.read_bytes())
        links = [e.get("href") for e in root.iter("{http://www.w3.org/2005/Atom}link")]
        assert links and all(link.startswith(base) for link in links)


def test_audience_pages_list_notices_for_everyone_too(public):
    page = read(public / "notices" / "audience" / "international.html")
    assert "2020-02-20-isolation-north-building.html" in page       # for international students
    assert "2020-02-12-campus-entry-control.html" in page           # for everyone
    assert "2020-02-14-staff-return.html" not in page               # staff only


# -- home, charts, grid, stale banner -----------------------------------------------------------

def test_home_has_the_headline_figures_and_is_light(project, public):
    latest = summaries(project)[str(DAY)]
    html = read(public / "index.html")
    for key in ("confirmed", "suspected", "fever", "isolated", "students_on_campus", "staff_on_campus"):
        card = re.search(rf'data-figure="{key}"><span class="cd-card__value">([^<]*)<', html)
        assert card and card.group(1) == str(latest["units"][key]), key
    assert f"{latest['reporting']['reported']} / {latest['reporting']['expected']}" in html
    assert (public / "index.html").stat().st_size <= 300_000
    english = read(public / "en" / "index.html")
    assert 'data-figure="confirmed"><span class="cd-card__value">' in english and "Confirmed" in english


def test_charts_and_grid_are_inline_svg_for_7_14_30_days(public):
    html = read(public / "index.html")
    english = read(public / "en" / "index.html")
    for n in (7, 14, 30):
        assert f"last {n} days" in english and f"近 {n} 天" in html
    assert html.count('<svg class="cd-chart"') == 6
    assert html.count('<details class="cd-data">') == 6 + 1       # every chart's figures as a table
    grid = re.search(r'<svg class="cd-grid-chart".*?</svg>', html, re.S).group(0)
    assert grid.count("<rect") >= 15 * 14
    assert "<path d=" in grid                    # the demo has missing units: a cross, not only a colour
    trends = read(public / "trends" / "index.html")
    assert trends.count('<svg class="cd-chart"') == 6 and "cd-grid-chart" in trends


def test_a_day_without_a_summary_is_a_gap_not_a_zero():
    from sync.render import charts
    days = [DAY - dt.timedelta(days=2 - i) for i in range(3)]
    svg = charts.line_chart(days, [("fever", "发热", [1, None, 3])], "t")
    assert "<polyline" not in svg and svg.count("<circle") == 2 + 1      # two points and the legend's


def test_stale_banner_when_the_newest_summary_is_more_than_a_day_old(project, tmp_path):
    banner = project / "site" / "overrides" / "generated" / "stale.zh.html"
    assert " hidden>" in read(banner)            # built on the day of the newest summary
    html = read(project / "public" / "index.html")
    assert 'class="cd-stale"' in html and "document.currentScript" in html
    assert 'class="cd-stale"' in read(project / "public" / "reports" / f"{DAY}.html")
    assert 'class="cd-stale"' not in read(project / "public" / "notices" / "index.html")   # only with figures
    assert "Figures not updated" in read(project / "public" / "en" / "index.html")
    copy = tmp_path / "docs"
    for today, hidden in ((DAY + dt.timedelta(days=1), True), (DAY + dt.timedelta(days=2), False)):
        site_render.render(project / "policies", project / "data" / "summaries", copy, today)
        for lang in ("zh", "en"):
            text = read(copy / "overrides" / "generated" / f"stale.{lang}.html")
            assert (" hidden>" in text) == hidden, today


# -- safety: escaping, other hosts, personal data -----------------------------------------------------

class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.loads: list[str] = []          # URLs the page makes the browser load
        self.scripts: list[str] = []        # inline script text
        self.handlers: list[str] = []       # on* attributes
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in attrs:
            if key.startswith("on"):
                self.handlers.append(f"{tag} {key}")
        if tag in ("script", "img", "iframe", "source", "audio", "video", "embed") and attrs.get("src"):
            self.loads.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.loads.append(attrs["href"])
        if tag in ("image", "use") and (attrs.get("href") or attrs.get("xlink:href")):
            self.loads.append(attrs.get("href") or attrs.get("xlink:href"))
        self.loads += re.findall(r"url\(\s*['\"]?([^'\")]+)", attrs.get("style") or "")
        self._in_script = tag in ("script", "style")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)
            self.loads += re.findall(r"url\(\s*['\"]?([^'\")]+)", data)


def parse(path: Path) -> Tags:
    tags = Tags()
    tags.feed(read(path))
    return tags


def is_other_host(url: str) -> bool:
    parsed = urlparse(url.strip())
    return bool(parsed.netloc) or parsed.scheme not in ("", "data")


def test_no_page_loads_anything_from_another_host(public):
    pages = list(public.rglob("*.html"))
    assert len(pages) > 40
    for page in pages:
        tags = parse(page)
        assert tags.loads, page
        assert not [u for u in tags.loads if is_other_host(u)], page
    for css in public.rglob("*.css"):
        urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", read(css))
        assert not [u for u in urls if is_other_host(u)], css
    assert "fonts.googleapis" not in read(public / "index.html")


def test_typed_text_comes_out_escaped(public):
    for path in public.rglob("*"):
        if path.suffix in (".html", ".xml", ".json", ".js"):
            text = read(path)
            if path.suffix == ".json":
                text = json.dumps(json.loads(text), ensure_ascii=False)
            for payload in XSS:
                assert payload not in text, path
    for page in public.rglob("*.html"):
        tags = parse(page)
        assert not tags.handlers, page
        assert not [s for s in tags.scripts if "alert(1)" in s], page
    home = read(public / "index.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in home          # donor, missing unit, notice title
    assert "&lt;img src=x onerror=alert(1)&gt;" in home
    report = read(public / "reports" / f"{DAY}.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    notice = read(public / "notices" / f"{HOSTILE_NOTICE[:-6]}.html")
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;" in notice
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in read(public / "notices" / "feed.xml")


def pii_values() -> set[str]:
    """Every value typed into a personal-data column of the demo workbook, less the short or common
    words that also occur in policies/ (a symptom such as 发热 is vocabulary, not identification)
    and the texts of columns the schemas publish on purpose (a duty roster's names: `public: true`)."""
    policy = load_policy(ROOT / "policies")
    vocabulary = "".join(read(p) for p in (ROOT / "policies").rglob("*.*"))
    values, published = set(), set()
    for table in read_source(DEMO).tables:
        sheet = next((s for s in policy.sheets.values()
                      if fold(table.title) in {fold(s.name), fold(s.title["zh"]), fold(s.title["en"])}), None)
        if sheet is None:
            continue
        pii = {fold(h) for f in sheet.fields if f.pii for h in f.headers()}
        public = {fold(h) for f in sheet.fields if f.public for h in f.headers()}
        for header, column in zip(table.header, table.columns):
            for kind, into in ((pii, values), (public, published)):
                if fold(header) in kind:
                    into |= {v.strip() for v in column.uniques if len(v.strip()) >= 2}
    # a short name inside a published one (廖超 in 廖超悦) is no leak either
    return {v for v in values - published if v not in vocabulary and not any(v in p for p in published)}


def leaks(public: Path, pii: set[str]) -> dict[Path, list[str]]:
    found = {}
    for path in public.rglob("*"):
        # Everything the build wrote from our data; Material's own scripts, styles and icons are not.
        if not path.is_file() or path.suffix not in (".html", ".xml", ".json", ".gz", ".txt"):
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        text = data.decode("utf-8", errors="ignore")
        if path.suffix == ".json":      # the search index escapes every CJK character as \uXXXX
            text = json.dumps(json.loads(text), ensure_ascii=False)
        leaked = sorted(v for v in pii if v in text)
        if leaked:
            found[path] = leaked
    return found


def test_no_personal_data_in_any_built_file(public):
    pii = pii_values()
    assert len(pii) > 100         # names, ids, phones, reporters, operators of the demo
    assert (public / "search" / "search_index.json").is_file() and (public / "sitemap.xml.gz").is_file()
    assert leaks(public, pii) == {}


def test_the_personal_data_scan_finds_a_planted_value(tmp_path):
    name = sorted(pii_values())[-1]
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "search_index.json").write_text(json.dumps({"docs": [{"text": f"x {name} y"}]}))
    (tmp_path / "sitemap.xml.gz").write_bytes(gzip.compress(f"<url>{name}</url>".encode()))
    assert set(leaks(tmp_path, {name})) == {tmp_path / "search" / "search_index.json", tmp_path / "sitemap.xml.gz"}


# -- strict build ---------------------------------------------------------------------------------

def test_a_broken_link_fails_the_strict_build_and_keeps_the_old_site(tmp_path):
    project = make_project(tmp_path, hostile=False)
    (project / "public").mkdir()
    (project / "public" / "index.html").write_text("old", encoding="utf-8")
    notice = project / "policies" / "notices" / "2020-02-14-staff-return.zh.md"
    notice.write_text(read(notice) + "\n[missing](../plans/no_such_plan.md)\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        build(project)
    assert "no_such_plan.md" in str(caught.value)
    assert read(project / "public" / "index.html") == "old"
    assert not list(project.glob(".public-*"))


def test_build_refuses_broken_policies_with_file_and_line(tmp_path):
    project = make_project(tmp_path, hostile=False)
    bad = project / "policies" / "notices" / "2020-02-14-staff-return.zh.md"
    bad.write_text(read(bad).replace("audience: [staff]", "audience: [nobody]"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        site_render.render(project / "policies", project / "data" / "summaries", project / "site", DAY)
    assert f"{bad}:4: audience[0]: unknown audience 'nobody'" in caught.value.problems[0]


def test_contacts_show_the_counselling_hotline_and_the_public_duty_columns(public):
    from sync.render import contacts
    page = read(public / "contacts" / "index.html")
    assert "心理咨询热线" in page and "Online psychological counselling hotline" in read(public / "en" / "contacts" / "index.html")
    duty = [{"shift": {"zh": "白班", "en": "day"}, "unit": {"zh": "保卫处", "en": "Security"}, "person": "周老师",
             "phone": "13800000009"}]
    text = contacts.page([], {}, {"date": "2020-02-23", "duty": duty})
    assert "周老师" in text and "保卫处" in text and "13800000009" not in text
    assert "Security" in contacts.page([], {}, {"date": "2020-02-23", "duty": duty}, "en")
