// Lighthouse (package.json pins it) over several pages of one served site, on the mobile profile,
// in one Chromium started once: each page is a full Lighthouse navigation, one after the other.
// Usage: node tests/lighthouse.mjs URL... ; prints {url: {scores, failed, cls}} as JSON.
// Used by tests/test_browser.py; CHROME_PATH names the browser (Debian's chromium).
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const CATEGORIES = ["accessibility", "best-practices", "seo"];
const config = {
  extends: "lighthouse:default",
  settings: {
    onlyCategories: CATEGORIES,
    onlyAudits: ["cumulative-layout-shift"],
    // The pages are static files from a local server: shorter quiet windows than the defaults (1 s).
    pauseAfterFcpMs: 500, pauseAfterLoadMs: 500, networkQuietThresholdMs: 500, cpuQuietThresholdMs: 500,
    disableFullPageScreenshot: true,      // the test saves its own screenshots
  },
};

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const out = {};
try {
  for (const url of process.argv.slice(2)) {
    const { lhr } = await lighthouse(url, { port: chrome.port, logLevel: "error", output: "json" }, config);
    const failed = [];
    const scores = {};
    for (const key of CATEGORIES) {
      const category = lhr.categories[key];
      scores[key] = category.score;
      for (const ref of category.auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
          failed.push(`${key}: ${ref.id} (${audit.title})`);
        }
      }
    }
    const cls = lhr.audits["cumulative-layout-shift"].numericValue;
    out[url] = { scores, failed, cls, runtimeError: lhr.runtimeError ? lhr.runtimeError.message : null,
                 formFactor: lhr.configSettings.formFactor };
  }
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
