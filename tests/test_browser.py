"""The built site in a real headless Chromium (Debian's chromium + chromedriver, driven by Selenium),
served by a local web server on 127.0.0.1 and opened from disk: figures, both languages, the phone
layout, search, no console errors, axe-core and Lighthouse (pinned in package.json, installed into
node_modules/ by scripts/test). Screenshots of both languages at phone and desktop size go to
build/screenshots/ (git-ignored) for people to look at."""
from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from test_site import DAY, build, make_project

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "screenshots"
NODE = ROOT / "node_modules"
# Debian's paths (scripts/test installs them); elsewhere, point these variables at a browser and driver.
CHROME = os.environ.get("CAMPUS_DESK_CHROME", "/usr/bin/chromium")
DRIVER = os.environ.get("CAMPUS_DESK_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]
PHONE, DESKTOP = (390, 844), (1366, 900)
NOTICE = "notices/2020-02-20-isolation-north-building.html"
PLAN = "plans/disinfection.html"
# The four kinds of page Lighthouse and axe check, in both languages.
PAGES = ["index.html", NOTICE, f"reports/{DAY}.html", PLAN]
LANGS = {"zh": "", "en": "en/"}


def _browser_or_fail():
    """No skipping: a missing browser is a failure that says how to get one (scripts/test installs
    Debian's chromium and chromium-driver when run as root)."""
    missing = [p for p in (CHROME, DRIVER) if not Path(p).is_file()]
    if missing:
        pytest.fail(f"missing {missing}: run bash scripts/test as root (it installs chromium and "
                    f"chromium-driver), or point CAMPUS_DESK_CHROME and CAMPUS_DESK_CHROMEDRIVER at them")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    _browser_or_fail()
    project = make_project(tmp_path_factory.mktemp("browser"), hostile=False)
    return build(project)


@pytest.fixture(scope="module")
def site(public):
    handler = functools.partial(Quiet, directory=str(public))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    summary = json.loads((public.parent / "data" / "summaries" / f"{DAY}.json").read_text(encoding="utf-8"))
    yield f"http://127.0.0.1:{server.server_address[1]}/", summary
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(public, tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROME
    for flag in FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def visit(browser, url: str, size=PHONE) -> list[str]:
    """Open a page at a window size; return the console errors it logged."""
    browser.get_log("browser")                        # drop what the page before logged
    browser.set_window_size(*size)
    browser.get(url)
    browser.execute_script("return document.fonts.ready")
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def top(browser, selector: str) -> float:
    return browser.execute_script(f"return document.querySelector({json.dumps(selector)}).getBoundingClientRect().top")


def shoot(browser, name: str) -> Path:
    """The first screen, and the whole page (the window made as tall as the page)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    first = SHOTS / f"{name}.png"
    assert browser.save_screenshot(str(first)) and first.stat().st_size > 10_000
    width = browser.get_window_size()["width"]
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(height + 100, 12_000))
    full = SHOTS / f"{name}-full.png"
    assert browser.save_screenshot(str(full))
    return first


@pytest.mark.parametrize("lang", LANGS)
def test_home_page_shows_the_figures_first_on_a_phone(site, browser, lang):
    from selenium.webdriver.common.by import By
    url, summary = site
    assert visit(browser, url + LANGS[lang] + "index.html") == []
    cards = {c.get_attribute("data-figure"): c.find_element(By.CLASS_NAME, "cd-card__value").text
             for c in browser.find_elements(By.CSS_SELECTOR, ".cd-card")}
    for key in ("confirmed", "suspected", "fever", "isolated", "students_on_campus", "staff_on_campus"):
        assert cards[key] == str(summary["units"][key]), key
    first, second, _third, fourth = browser.find_elements(By.CSS_SELECTOR, ".cd-card")[:4]
    assert first.rect["y"] == second.rect["y"], "several figures a row"
    # The first screen: the figures, then the reporting completeness, then the urgent notices.
    figures, completeness = top(browser, ".cd-cards"), top(browser, ".cd-cards + p")
    urgent = browser.execute_script("return document.querySelector('.admonition.danger').getBoundingClientRect().bottom")
    assert figures < completeness < urgent <= PHONE[1], (figures, completeness, urgent)
    assert fourth.rect["y"] > first.rect["y"]
    assert not browser.find_elements(By.CSS_SELECTOR, ".md-banner")      # no bar above the figures
    # Built in 2020, viewed now: the stale banner is shown, on one line.
    stale = browser.find_element(By.CSS_SELECTOR, ".cd-stale")
    assert stale.is_displayed() and stale.size["height"] < 30
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang


@pytest.mark.parametrize("lang", LANGS)
def test_chart_text_is_at_least_12_px_on_a_phone(site, browser, lang):
    url, _ = site
    assert visit(browser, url + LANGS[lang] + "index.html") == []
    sizes = browser.execute_script("""
        return [...document.querySelectorAll('svg.cd-chart, svg.cd-grid-chart')]
          .filter(svg => svg.getBoundingClientRect().width > 0)
          .map(svg => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width
                      * parseFloat(getComputedStyle(svg.querySelector('text')).fontSize));""")
    assert len(sizes) >= 3 and min(sizes) >= 12, sizes


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_screenshots(site, browser, lang, size):
    """Saved for people to look at: home, a notice, a report and a plan."""
    url, _ = site
    for page in PAGES:
        assert visit(browser, url + LANGS[lang] + page, size) == [], page
        name = page.replace("/", "-").removesuffix(".html")
        shoot(browser, f"{lang}-{size[0]}-{name}")


@pytest.mark.parametrize("lang", LANGS)
def test_a_report_page_shows_its_figures(site, browser, lang):
    from selenium.webdriver.common.by import By
    url, summary = site
    assert visit(browser, f"{url}{LANGS[lang]}reports/{DAY}.html") == []
    assert str(DAY) in browser.title
    rows = {r.find_elements(By.TAG_NAME, "td")[0].text: r.find_elements(By.TAG_NAME, "td")[1].text
            for r in browser.find_elements(By.CSS_SELECTOR, "article table tr") if r.find_elements(By.TAG_NAME, "td")}
    assert rows[{"zh": "应报单位", "en": "Expected"}[lang]] == str(summary["reporting"]["expected"])


def test_a_wide_table_stacks_on_a_phone(site, browser):
    from selenium.webdriver.common.by import By
    url, _ = site
    assert visit(browser, url + "en/" + PLAN) == []
    table = browser.find_element(By.CSS_SELECTOR, "table[data-stack]")
    assert table.size["width"] <= PHONE[0]
    assert browser.execute_script("return document.documentElement.scrollWidth") <= PHONE[0]
    cell = table.find_elements(By.CSS_SELECTOR, "td")[2]
    assert cell.value_of_css_property("display") == "block"
    assert browser.execute_script("return getComputedStyle(arguments[0], '::before').content", cell) == '"Agent: "'
    assert not table.find_element(By.TAG_NAME, "th").is_displayed()


def test_the_language_switch_goes_to_the_same_page(site, browser):
    from selenium.webdriver.common.by import By
    url, _ = site
    visit(browser, url + NOTICE, DESKTOP)
    link = browser.find_element(By.CSS_SELECTOR, "a.md-select__link[hreflang=en]")
    browser.get(link.get_attribute("href"))
    assert browser.current_url == url + "en/" + NOTICE
    link = browser.find_element(By.CSS_SELECTOR, "a.md-select__link[hreflang=zh]")
    browser.get(link.get_attribute("href"))
    assert browser.current_url == url + NOTICE


def search(browser, words: str) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait
    box = WebDriverWait(browser, 10).until(ec.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input")))
    box.clear()
    box.click()
    box.send_keys(words)
    WebDriverWait(browser, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".md-search-result__item"))
    return " ".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, ".md-search-result__item"))


def test_search_finds_chinese_words(site, browser):
    """Material's search in the browser, over the index jieba segmented at build time."""
    url, _ = site
    visit(browser, f"{url}notices/index.html", DESKTOP)
    assert "心理咨询" in search(browser, "心理咨询")


@pytest.mark.parametrize("words, found", [("isolation", "Isolation"), ("counselling", "counselling"),
                                          ("disinfection", "Disinfection plan"), ("zero report", "zero report")])
def test_english_search_finds_notices_and_plans(site, browser, words, found):
    url, _ = site
    visit(browser, f"{url}en/notices/index.html", DESKTOP)
    assert found.lower() in search(browser, words).lower()


def test_the_site_works_opened_from_disk(public, browser):
    """A copy on a USB stick: the menu leads to pages (not folder listings) and search works."""
    from selenium.webdriver.common.by import By
    home = (public / "en" / "index.html").as_uri()
    assert visit(browser, home, DESKTOP) == []
    link = browser.find_element(By.CSS_SELECTOR, ".md-sidebar--primary a.md-nav__link[href$='notices/index.html']")
    link.click()
    assert browser.current_url.endswith("/en/notices/index.html")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Notices"
    assert "Isolation" in search(browser, "isolation")
    assert [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_no_console_errors_on_any_page(site, public, browser):
    url, _ = site
    pages = sorted(str(p.relative_to(public)) for p in public.rglob("*.html") if p.name != "404.html")
    pages = [p for p in pages if "/reports/" not in p or p.endswith(f"{DAY}.html") or p.endswith("index.html")]
    assert len(pages) > 40
    errors = {p: e for p in pages if (e := visit(browser, url + p, DESKTOP))}
    assert errors == {}


def test_axe_finds_no_violations(site, browser):
    axe = (NODE / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    url, _ = site
    found = {}
    for lang, root in LANGS.items():
        for page in PAGES:
            for size in (PHONE, DESKTOP):
                visit(browser, url + root + page, size)
                browser.execute_script(axe)
                result = browser.execute_async_script(
                    "const done = arguments[arguments.length - 1];"
                    "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations))"
                    ".catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));")
                for v in result:
                    found.setdefault(f"{root}{page} {size[0]}", []).append(
                        f"{v['id']}: {v['help']} ({[n.get('target') for n in v['nodes']][:3]})")
    assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)


def test_lighthouse_scores_on_the_mobile_profile(site):
    """Accessibility, best practices and SEO 1.0 and layout shift below 0.1 on the mobile profile: home,
    a notice, a report and a plan, in both languages. One server, one Chromium, one page after the
    other (tests/lighthouse.mjs)."""
    assert (NODE / "lighthouse").is_dir(), "node_modules is missing: bash scripts/test installs it (npm ci)"
    node = shutil.which("node")
    assert node, "Node.js is needed for Lighthouse (scripts/test installs it as root)"
    url, _ = site
    urls = [url + root + page for root in LANGS.values() for page in PAGES]
    run = subprocess.run([node, str(ROOT / "tests" / "lighthouse.mjs"), *urls], env={**os.environ, "CHROME_PATH": CHROME},
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(run.stdout)
    assert set(results) == set(urls)
    failed = {}
    for page, r in results.items():
        problems = [f"{key} {score}" for key, score in r["scores"].items() if score != 1] + r["failed"]
        if r["cls"] is None or r["cls"] >= 0.1:
            problems.append(f"cumulative layout shift {r['cls']}")
        if r["runtimeError"] or r["formFactor"] != "mobile":
            problems.append(f"run: {r['runtimeError']} ({r['formFactor']})")
        if problems:
            failed[page.removeprefix(url)] = problems
    assert failed == {}, json.dumps(failed, indent=1, ensure_ascii=False)
