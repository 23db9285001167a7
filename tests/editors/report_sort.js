// The HTML report in headless Chromium: open the index of a several-story
// report from disk (file://, nothing else may be fetched), follow the link to
// a story page, click the column headings and check that the rows are sorted
// (conflicts first, then tensions, agreements, single-source, silent; a
// second click reverses; ties keep the page's order), that "show only
// conflicts and tensions" hides the rest, and take a screenshot.
// Usage: node report_sort.js INDEX_HTML SCREENSHOT_PNG
// Prints one JSON line: {"ok": true, ...} or {"ok": false, "errors": [...]}.
const path = require("path");
const { chromium } = require("playwright-core");

const [index, shot] = process.argv.slice(2);
const rank = { conflict: 0, tension: 1, agree: 2, single: 3, silent: 4 };

async function main() {
  const errors = [];
  const result = { ok: false, errors };
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--allow-file-access-from-files"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const fetched = [];
    page.on("request", (r) => {
      if (!r.url().startsWith("file:")) fetched.push(r.url());
    });
    page.on("pageerror", (e) => errors.push("script error: " + e.message));
    await page.goto("file://" + path.resolve(index));
    const links = await page.$$eval("table.index tbody a", (as) => as.map((a) => a.getAttribute("href")));
    result.stories = links.length;
    if (links.length < 2) errors.push(`the index links ${links.length} story pages`);
    // The story with a conflict (the seeds' delegation size).
    const target = await page.$$eval("table.index tbody tr", (rows) => {
      const r = rows.find((tr) => tr.classList.contains("r-conflict")) || rows[0];
      return r ? r.querySelector("a").getAttribute("href") : null;
    });
    if (!target) throw new Error("no story row");
    await page.click(`a[href="${target}"]`);
    await page.waitForSelector("table.matrix");
    result.page = path.basename(page.url());
    if (result.page !== target) errors.push(`the link led to ${page.url()}, not ${target}`);

    // The matrix of facts two or more sources report (not the single-source one in <details>).
    const table = "section > table.matrix";
    const column = (col) =>
      page.$$eval(`${table} tbody tr`, (rows, col) =>
        rows.map((r) => ({ i: +r.getAttribute("data-i"), k: r.cells[col].getAttribute("data-k") || r.cells[col].textContent })), col);
    const sortedBy = (cells, dir) => {
      for (let j = 1; j < cells.length; j++) {
        const a = cells[j - 1], b = cells[j];
        const ra = rank[a.k], rb = rank[b.k];
        const c = ra !== undefined && rb !== undefined ? ra - rb : a.k.localeCompare(b.k);
        if (c * dir > 0 || (c === 0 && a.i > b.i)) return `row ${j}: ${JSON.stringify(a)} before ${JSON.stringify(b)}`;
      }
      return null;
    };
    const before = await column(1);
    result.rows = before.length;
    if (before.length < 3) errors.push(`only ${before.length} rows in the matrix`);
    // Two verdicts at least, or sorting would prove nothing.
    if (new Set(before.map((c) => c.k)).size < 2) errors.push("the matrix has a single verdict: nothing to sort");
    // Verdict: ascending (conflicts first), then descending.
    await page.click(`${table} thead th[data-col="1"] button`);
    const asc = await column(1);
    const bad = sortedBy(asc, 1);
    if (bad) errors.push("after one click on Verdict, not ascending: " + bad);
    if (asc.length && asc[0].k !== "conflict") errors.push(`first row after sorting is ${asc[0].k}, not conflict`);
    const aria = await page.getAttribute(`${table} thead th[data-col="1"]`, "aria-sort");
    if (aria !== "ascending") errors.push(`aria-sort is ${aria} after one click`);
    await page.click(`${table} thead th[data-col="1"] button`);
    const desc = await column(1);
    const bad2 = sortedBy(desc, -1);
    if (bad2) errors.push("after a second click on Verdict, not descending: " + bad2);
    if (desc.map((c) => c.i).join() === asc.map((c) => c.i).join()) errors.push("the second click did not reorder the rows");
    if (await page.getAttribute(`${table} thead th[data-col="1"]`, "aria-sort") !== "descending") {
      errors.push("aria-sort is not descending after two clicks");
    }
    // A source's column: its cells in rank order; the other headings reset.
    await page.click(`${table} thead th[data-col="2"] button`);
    const src = await column(2);
    const bad3 = sortedBy(src, 1);
    if (bad3) errors.push("after a click on the first source, not sorted: " + bad3);
    if (await page.getAttribute(`${table} thead th[data-col="1"]`, "aria-sort") !== null) {
      errors.push("the Verdict heading still says it sorts");
    }
    // Fact names: alphabetical.
    await page.click(`${table} thead th[data-col="0"] button`);
    const facts = await column(0);
    for (let j = 1; j < facts.length; j++) {
      if (facts[j - 1].k.localeCompare(facts[j].k) > 0) {
        errors.push(`facts not alphabetical at row ${j}: ${facts[j - 1].k} / ${facts[j].k}`);
        break;
      }
    }
    await page.click(`${table} thead th[data-col="1"] button`);
    // Only conflicts and tensions.
    await page.check("#only-issues");
    const shown = await page.$$eval(`${table} tbody tr`, (rows) =>
      rows.filter((r) => getComputedStyle(r).display !== "none").map((r) => r.className));
    if (shown.length === 0 || shown.some((c) => !/r-(conflict|tension)/.test(c))) {
      errors.push("'show only conflicts and tensions' shows: " + shown.join(" "));
    }
    await page.uncheck("#only-issues");
    // The counts per source are under each source's heading.
    result.counts = await page.$$eval(`${table} thead .counts`, (c) => c.length);
    if (result.counts < 2) errors.push(`${result.counts} sources have counts`);
    if (shot) await page.screenshot({ path: shot });
    if (fetched.length) errors.push("fetched from the network: " + fetched.join(", "));
  } catch (e) {
    errors.push(String(e));
  } finally {
    await browser.close();
  }
  result.ok = errors.length === 0;
  console.log(JSON.stringify(result));
}

main().catch((e) => console.log(JSON.stringify({ ok: false, errors: [String(e)] })));
