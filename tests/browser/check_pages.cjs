// Reads wikigraph's web pages in headless Chromium as a person would: home, a note, a wikilink,
// a search, a concept page. Prints a JSON report of what it saw; exits non-zero on the first surprise.
//   node check_pages.cjs <base url> <screenshot dir> [chromium path]
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const [baseUrl, shotDir, executablePath = "/usr/bin/chromium"] = process.argv.slice(2);
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];
const QUERY = "papers connected to the defense trilemma";

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function text(page, selector) {
  return (await page.locator(selector).first().innerText()).trim();
}

async function graphDrawn(page) {
  await page.waitForSelector(".graph svg .node circle", { timeout: 5000 });
  return page.locator(".graph svg .node").count();
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "wikigraph-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 },
  });
  const problems = [];
  const report = { steps: [] };
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(10000);
    // A script error or a blocked inline script or style (a CSP violation) shows up here.
    page.on("console", (msg) => { if (msg.type() === "error") problems.push(`console: ${msg.text()}`); });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));

    await page.goto(baseUrl + "/", { waitUntil: "load" });
    check((await text(page, "h1")) === "Latest notes", "home: no 'Latest notes' heading");
    const tiers = await page.locator("section.tier h2").allInnerTexts();
    check(tiers.length > 0, "home: no tier sections");
    check(await page.locator("input[name=q]").isVisible(), "home: no visible search box");
    await page.screenshot({ path: path.join(shotDir, "home.png"), fullPage: true });
    report.steps.push({ page: "home", tiers });

    // The newest notes may link nowhere yet: open notes from the home page until one has a wikilink to follow.
    const noteLinks = await page.locator("section.tier ul.notes a").evaluateAll((links) => links.map((a) => a.href));
    let noteTitle = null;
    for (const href of noteLinks) {
      await page.goto(href, { waitUntil: "load" });
      if ((await page.locator(".markdown a.wikilink:not(.missing)").count()) > 0) {
        noteTitle = await text(page, "h1.page-title");
        break;
      }
    }
    check(noteTitle !== null, `note: none of the ${noteLinks.length} notes on the home page has a wikilink`);
    const noteNodes = await graphDrawn(page);
    check(noteNodes > 1, "note: the neighbourhood graph has no neighbours");
    report.steps.push({ page: "note", title: noteTitle, graphNodes: noteNodes });

    const link = page.locator(".markdown a.wikilink:not(.missing)").first();
    const linkText = (await link.innerText()).trim();
    await link.click();
    await page.waitForLoadState("load");
    check(/\/wiki\/[a-z]+\//.test(page.url()), `wikilink: landed on ${page.url()}`);
    const linkedTitle = await text(page, "h1.page-title");
    check(linkedTitle.length > 0, "wikilink: the page it opened has no title");
    report.steps.push({ page: "wikilink", followed: linkText, title: linkedTitle, url: page.url().slice(baseUrl.length) });

    await page.fill("input[name=q]", QUERY);
    await page.press("input[name=q]", "Enter");
    await page.waitForURL(/\/wiki\/search\?q=/);
    const results = await page.locator("li.result .head a").allInnerTexts();
    check(results.length > 0, "search: no results");
    const firstPath = await page.locator("li.result").first().locator("p.path").first().innerText();
    check(firstPath.includes("The Defense Trilemma"), `search: first result's path does not start at the concept: ${firstPath}`);
    await page.screenshot({ path: path.join(shotDir, "search.png"), fullPage: true });
    report.steps.push({ page: "search", query: QUERY, results: results.slice(0, 5), firstPath });

    await page.locator("li.result p.path a.step.kind-concept").first().click();
    await page.waitForLoadState("load");
    check(page.url().includes("/wiki/concepts/"), `concept: landed on ${page.url()}`);
    const kind = await text(page, "p.kind");
    const conceptTitle = await text(page, "h1.page-title");
    check(kind.toLowerCase() === "concept", `concept: page says it is a ${kind}`);
    const nodes = await graphDrawn(page);
    const backlinks = await page.locator(".backlinks li").count();
    check(backlinks > 0, "concept: no backlinks");
    // Hovering a neighbour lights up its edges: the graph answers the reader.
    await page.locator(".graph svg .node:not(.center) circle").first().hover();
    const hot = await page.locator(".graph svg line.edge.hot").count();
    check(hot > 0, "concept: hovering a node highlighted none of its edges");
    await page.mouse.move(5, 5);
    await page.screenshot({ path: path.join(shotDir, "concept.png"), fullPage: true });
    report.steps.push({ page: "concept", title: conceptTitle, graphNodes: nodes, backlinks, highlightedEdges: hot });

    check(problems.length === 0, `browser reported: ${problems.join(" | ")}`);
    report.ok = true;
  } catch (error) {
    report.ok = false;
    report.error = error.message;
    report.problems = problems;
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  process.exit(report.ok ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(2);
});
