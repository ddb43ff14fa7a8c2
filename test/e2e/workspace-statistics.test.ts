// The statistics page in Chromium (playwright-core): a coordinator's page over the known history
// (test/support/statistics-history.ts), served by the app itself (every request of the page, its stylesheet included, answered through app.request with
// the session cookie) in zh-CN on a phone and en on a desktop: its four SVG charts are laid out, visible
// and drawn (bars, not only the empty state), and axe-core finds no serious or critical violation.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { eq } from "drizzle-orm";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { members } from "../../src/db/schema";
import { createTestContext, type TestContext } from "../support/context";
import { seedStatisticsHistory } from "../support/statistics-history";
import { signInAs, type StaffBrowser } from "../support/staff-session";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const runBrowserTests = existsSync(CHROMIUM) || Boolean(process.env.CI);
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const ORIGIN = "http://fundwatch.test";

let ctx: TestContext;
let browser: Browser;
let coordinator: StaffBrowser;

beforeAll(async () => {
  if (!runBrowserTests) return;
  ctx = await createTestContext();
  // The known history: leads in two months, outcomes, and a campaign with units on time, late and missing.
  await seedStatisticsHistory(ctx);
  coordinator = await signInAs(ctx, (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "陈静") }))!.id);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await ctx?.close();
});

describe.runIf(runBrowserTests)("the statistics page in Chromium", () => {
  it("lays out its four charts, drawn and visible, with no serious axe-core violation, in Chinese on a phone and English on a desktop", { timeout: 180_000 }, async () => {
    // Two loads keep the suite short: Chinese on a phone, English on a desktop.
    for (const [lang, width] of [["zh-CN", 390], ["en", 1280]] as const) {
        // CSP bypassed only so axe-core can be injected; the page itself runs no script.
        const page = await browser.newPage({ viewport: { width, height: 900 }, bypassCSP: true });
        try {
          // Every request of the page answered by the app (the stylesheet too); nothing leaves the machine.
          await page.route("**/*", async (route) => {
            const url = new URL(route.request().url());
            if (url.origin !== ORIGIN) return route.abort();
            const res = await ctx.app.request(url.pathname + url.search, { headers: { cookie: coordinator.cookie } });
            await route.fulfill({ status: res.status, headers: Object.fromEntries(res.headers), body: Buffer.from(await res.arrayBuffer()) });
          });
          const response = await page.goto(`${ORIGIN}/staff/statistics?from=2026-11-01&to=2026-12-31&lang=${lang}`);
          expect(response?.status()).toBe(200);
          const charts = await page.locator("svg.chart").evaluateAll((svgs) =>
            svgs.map((svg) => {
              const box = svg.getBoundingClientRect();
              return { id: svg.getAttribute("data-chart"), width: box.width, height: box.height, shapes: svg.querySelectorAll("rect[data-value], rect[data-share]").length, empty: svg.getAttribute("data-empty") === "true" };
            }),
          );
          expect(charts.map((c) => c.id)).toEqual(["chart-monthly", "chart-outcomes", "chart-timeliness", "chart-compliance"]);
          for (const c of charts) {
            expect(c.width, `${c.id} ${lang} ${width}`).toBeGreaterThan(200);
            expect(c.height, `${c.id} ${lang} ${width}`).toBeGreaterThan(30);
            expect(c.empty, `${c.id}`).toBe(false);
            expect(c.shapes, `${c.id}`).toBeGreaterThan(0);
          }
          expect(await page.locator("svg.chart").first().isVisible()).toBe(true);
          await page.addScriptTag({ content: AXE });
          const violations = await page.evaluate(async () => {
            const result = await (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, { resultTypes: ["violations"] });
            return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
          });
          expect(violations, `${lang} ${width}px`).toEqual([]);
          if (process.env.STATS_SHOT) await page.screenshot({ path: `${process.env.STATS_SHOT}-${lang}-${width}.png`, fullPage: true });
      } finally {
        await page.close();
      }
    }
  });
});
