"""The built site in a real headless Chromium (Debian's chromium + chromedriver, driven by Selenium),
served by a local web server on 127.0.0.1: the home page and a report show their figures."""
from __future__ import annotations

import functools
import http.server
import json
import os
import threading
from pathlib import Path

import pytest

from test_site import DAY, build, make_project

# Debian's paths (scripts/test installs them); elsewhere, point these variables at a browser and driver.
CHROME = os.environ.get("CAMPUS_DESK_CHROME", "/usr/bin/chromium")
DRIVER = os.environ.get("CAMPUS_DESK_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,2000"]


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
def site(tmp_path_factory):
    _browser_or_fail()
    project = make_project(tmp_path_factory.mktemp("browser"), hostile=False)
    public = build(project)
    handler = functools.partial(Quiet, directory=str(public))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    summary = json.loads((project / "data" / "summaries" / f"{DAY}.json").read_text(encoding="utf-8"))
    yield f"http://127.0.0.1:{server.server_address[1]}/", summary
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(site, tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROME
    for flag in FLAGS + [f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_home_page_shows_the_headline_figures(site, browser, tmp_path):
    from selenium.webdriver.common.by import By
    url, summary = site
    browser.get(url)
    cards = {c.get_attribute("data-figure"): c.find_element(By.CLASS_NAME, "cd-card__value").text
             for c in browser.find_elements(By.CSS_SELECTOR, ".cd-card")}
    for key in ("confirmed", "suspected", "fever", "isolated", "students_on_campus", "staff_on_campus"):
        assert cards[key] == str(summary["units"][key]), key
    assert browser.find_element(By.CSS_SELECTOR, ".cd-card").is_displayed()
    bar = browser.find_element(By.CSS_SELECTOR, ".md-banner")
    assert "紧急通知" in bar.text
    assert browser.find_element(By.CSS_SELECTOR, "svg.cd-chart").size["width"] > 300
    # Built in 2020, viewed now: the page's own script shows the stale-data banner.
    assert browser.find_element(By.CSS_SELECTOR, ".cd-stale").is_displayed()
    shot = tmp_path / "home.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


def test_a_report_page_shows_its_figures(site, browser, tmp_path):
    from selenium.webdriver.common.by import By
    url, summary = site
    browser.get(f"{url}reports/{DAY}/")
    assert str(DAY) in browser.title
    text = browser.find_element(By.CSS_SELECTOR, "article").text
    reporting = summary["reporting"]
    assert f"{reporting['expected']}" in text and "已报 Reported" in text
    rows = {r.find_elements(By.TAG_NAME, "td")[0].text: r.find_elements(By.TAG_NAME, "td")[1].text
            for r in browser.find_elements(By.CSS_SELECTOR, "article table tr") if r.find_elements(By.TAG_NAME, "td")}
    assert rows["应报单位 Expected"] == str(reporting["expected"])
    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


def test_search_finds_chinese_words(site, browser):
    """Material's search in the browser, over the index jieba segmented at build time."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait
    url, _ = site
    browser.get(f"{url}notices/")
    box = WebDriverWait(browser, 10).until(ec.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input")))
    box.click()
    box.send_keys("心理咨询")
    WebDriverWait(browser, 15).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".md-search-result__item"))
    results = " ".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, ".md-search-result__item"))
    assert "心理咨询" in results
