// axe-core in Chromium on the campaign start pages as a coordinator receives them (the form, and the
// preview of a start with past deadlines and unenrolled units, in zh-CN and en, phone and desktop
// widths): no serious or critical violation. The markup is checked as served (stylesheets not loaded:
// structure, labels, names and roles; the citizen-path test covers the shared styles).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { eq } from "drizzle-orm";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { members } from "../../src/db/schema";
import { createTestContext, type TestContext } from "../support/context";
import { importExampleOrg } from "../support/round-trips";
import { signInAs, type StaffBrowser } from "../support/staff-session";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const runBrowserTests = existsSync(CHROMIUM) || Boolean(process.env.CI);
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let ctx: TestContext;
let browser: Browser;
let coordinator: StaffBrowser;

beforeAll(async () => {
  if (!runBrowserTests) return;
  ctx = await createTestContext();
  await importExampleOrg(ctx.deps);
  ctx.setNow(new Date("2026-12-07T14:00:00+08:00"));
  coordinator = await signInAs(ctx, (await ctx.db.query.members.findFirst({ where: eq(members.displayName, "陈静") }))!.id);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await ctx?.close();
});

async function axeProblems(html: string, width: number): Promise<string[]> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  try {
    // Offline: the page's own markup only.
    await page.route("**/*", (route) => route.abort());
    await page.setContent(html, { waitUntil: "domcontentloaded" });
    await page.addScriptTag({ content: AXE });
    const violations = await page.evaluate(async () => {
      const result = await (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, { resultTypes: ["violations"] });
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }));
    });
    return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.targets.join(", ")}`);
  } finally {
    await page.close();
  }
}

describe.runIf(runBrowserTests)("campaign start pages under axe-core", () => {
  it("the form and the preview, in both languages, on a phone and a desktop", { timeout: 180_000 }, async () => {
    for (const lang of ["zh-CN", "en"]) {
      const form = await coordinator.get(`/staff/campaigns/new?lang=${lang}`);
      expect(form.status).toBe(200);
      const preview = await coordinator.post("/staff/campaigns/new", { template: "jilin-2020", year: "2026", region: "510000" });
      expect(preview.status).toBe(200);
      const refused = await coordinator.post("/staff/campaigns/new", { template: "jilin-2020", year: "1", region: "x" });
      expect(refused.status).toBe(400);
      for (const width of [390, 1280]) {
        for (const [name, html] of [["form", form.html], ["preview", preview.html], ["refused", refused.html]] as const) expect(await axeProblems(html, width), `${name} ${lang} ${width}px`).toEqual([]);
      }
    }
  });
});
