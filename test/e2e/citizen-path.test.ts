// The citizen's path in Chromium (playwright-core), in zh-CN and en, on a phone and a desktop: every
// public page passes axe-core with no serious or critical violation; controls are at least 44 px and
// their borders at least 3:1; the form loads cities and districts on demand; the receipt can be copied,
// warns before it is left, survives the language switch, downloads as a PDF that /verify calls
// genuine (and a tampered copy not); the status page says what happens next and by when.
// With TEST_SCREENSHOTS=1, full-page screenshots go to test-artifacts/ (gitignored); nothing reads them in
// a test run, and 48 full-page PNGs were a large share of the file's time on a loaded machine.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNodeServer, type RunningServer } from "../../src/node";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const runBrowserTests = existsSync(CHROMIUM) || Boolean(process.env.CI);
const TIMEOUT = 120_000;
const ARTIFACTS = join(process.cwd(), "test-artifacts");
const SCREENSHOTS = process.env.TEST_SCREENSHOTS === "1";
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const PNG_BYTES = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

let dir: string;
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  if (!runBrowserTests) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), "fundwatch-citizen-"));
  server = await startNodeServer({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: `file:${join(dir, "fw.db")}`,
    SECRETS_FILE: join(dir, "secrets.json"),
    LOG_LEVEL: "silent",
    RECEIPT_LOOKUP_MIN_MS: "0",
    FOOTER_LINES: "京ICP备00000000号（示例）|京公网安备00000000000000号（示例）",
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core on the page as it is: serious and critical violations, described for the failure message. */
async function axeProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** Visible controls smaller than 44 px high, and control borders under 3:1 against white. */
async function targetAndBorderProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const luminance = (css: string) => {
      const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? ["0", "0", "0"]).slice(0, 3).map((x) => {
        const c = Number(x) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const contrast = (a: string, b: string) => {
      const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (l1! + 0.05) / (l2! + 0.05);
    };
    for (const el of Array.from(document.querySelectorAll<HTMLElement>("main button, main a.button, main select, main input:not([type=hidden]), main textarea, main label.choice, header nav a, header .tools a"))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (el instanceof HTMLInputElement && (el.type === "radio" || el.type === "checkbox")) continue; // their label is the target
      if (box.height < 43.5) problems.push(`${el.tagName.toLowerCase()}#${el.id || el.textContent?.trim().slice(0, 20)} is ${box.height.toFixed(1)} px high`);
      if (el.matches("input[type=text], input[type=tel], input[type=email], input[type=date], select, textarea")) {
        const ratio = contrast(getComputedStyle(el).borderTopColor, "rgb(255, 255, 255)");
        if (ratio < 3) problems.push(`${el.id} border contrast ${ratio.toFixed(2)}:1`);
      }
    }
    return problems;
  });
}

/** Standards mode, then axe, touch targets and borders, then (TEST_SCREENSHOTS=1) a screenshot. */
async function checkPage(page: Page, name: string, audit: Record<string, string[]>) {
  expect(await page.evaluate(() => document.compatMode), `${name} is in quirks mode`).toBe("CSS1Compat");
  audit[name] = [...(await axeProblems(page)), ...(await targetAndBorderProblems(page))];
  if (SCREENSHOTS) await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const VIEWPORTS: { name: string; options: BrowserContextOptions }[] = [
  { name: "phone", options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 } },
  { name: "desktop", options: { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 } },
];

const TEXT = {
  "zh-CN": { title: "举报已提交", genuine: "回执真实有效", forged: "回执不真实", authority: "示例市医疗保障局", state: "我们已收到您的举报" },
  en: { title: "Report submitted", genuine: "Genuine", forged: "Not genuine", authority: "Example City Healthcare Security Administration", state: "We have received your report" },
} as const;

/** Runs `work` when no other path holds the browser's clipboard (a queue of promises). */
let clipboardQueue: Promise<unknown> = Promise.resolve();
function clipboardTurn<T>(work: () => Promise<T>): Promise<T> {
  const turn = clipboardQueue.then(work);
  clipboardQueue = turn.catch(() => undefined);
  return turn;
}

// The four paths are independent (each its own browser context and its own tip), so they run at once:
// the browser's processes work while this file's worker waits (one after another they took 54 s).
describe.runIf(runBrowserTests)("citizen path in Chromium", () => {
  it.concurrent.for((["zh-CN", "en"] as const).flatMap((locale) => VIEWPORTS.map((viewport) => ({ locale, viewport: viewport.name, options: viewport.options }))))(
    "$locale, $viewport: is accessible on every public page, keeps the receipt safe and proves the submission on /verify",
    { timeout: TIMEOUT },
    async ({ locale, viewport, options }, { expect }) => {
      const context = await browser.newContext({ ...options, locale, bypassCSP: true, acceptDownloads: true });
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(e.message));
      const audit: Record<string, string[]> = {};
      const shot = (name: string) => `${locale}-${viewport}-${name}`;
      const q = `lang=${locale}`;
      const text = TEXT[locale];
      try {
        for (const path of ["/", "/notice", "/privacy", "/verify", "/status"]) {
          await page.goto(`${server.url}${path}?${q}`);
          expect(await page.getAttribute("html", "lang")).toBe(locale);
          // The authority speaks, in the page's language; the hotline is in the footer.
          expect((await page.textContent('[data-testid="authority"]'))?.trim()).toBe(text.authority);
          expect(await page.title()).toContain(text.authority);
          expect((await page.textContent('[data-testid="hotline"]'))?.trim()).toBe("12393");
          await checkPage(page, shot(path === "/" ? "home" : path.slice(1)), audit);
        }
        // Large text (适老化) is a plain link: it works without the script and stays on.
        await page.goto(`${server.url}/?${q}`);
        await Promise.all([page.waitForURL(/text=large/), page.click('[data-testid="text-size"]')]);
        const isLarge = () => page.evaluate(() => document.documentElement.classList.contains("large"));
        expect(await isLarge()).toBe(true);
        const fontSize = await page.evaluate(() => getComputedStyle(document.body).fontSize);
        expect(fontSize).toBe("20px");
        await page.goto(`${server.url}/report?${q}`);
        expect(await isLarge()).toBe(true);
        await checkPage(page, shot("report-large"), audit);
        await Promise.all([page.waitForURL(/text=normal/), page.click('[data-testid="text-size"]')]);
        expect(await isLarge()).toBe(false);

        // The form with a missing field: one summary, linked to the field.
        await page.goto(`${server.url}/report?${q}`);
        await checkPage(page, shot("report"), audit);
        await page.click("#submit-report");
        await page.waitForSelector('[data-testid="form-errors"]');
        expect(await page.locator('[role="alert"]').count()).toBe(1);
        expect(await page.getAttribute("#targetName", "aria-invalid")).toBe("true");
        expect(await page.getAttribute("#targetName", "aria-describedby")).toContain("targetName-error");
        expect(await page.locator('[data-testid="form-errors"] a[href="#targetName"]').count()).toBe(1);
        await checkPage(page, shot("report-errors"), audit);

        // Regions on demand from the API.
        await page.selectOption("#subject", "pharmacy");
        await page.selectOption("#violationType", "pharmacy:no_prescription_sale");
        await page.selectOption("#province", "440000");
        await page.waitForSelector('#city option[value="440300"]', { state: "attached" });
        await page.selectOption("#city", "440300");
        await page.waitForSelector('#district option[value="440305"]', { state: "attached" });
        await page.selectOption("#district", "440305");
        await page.fill("#targetName", "南山某某大药房");
        await page.fill("#occurredFrom", "2025-06-01");
        await page.fill("#description", "药店长期无处方销售处方药并用医保卡结算，店员称可以刷卡换日用品。");
        await page.check("#anonymous-no");
        await page.fill("#reporterName", "李四");
        await page.fill("#reporterPhone", "13900139000");
        await page.fill("#reporterIdNumber", "11010519491231002X");
        await page.setInputFiles("#evidence", { name: "receipt.png", mimeType: "image/png", buffer: PNG_BYTES });
        await page.click("#submit-report");
        await page.waitForSelector('[data-testid="receipt-code"]');
        expect((await page.textContent("h1"))?.trim()).toBe(text.title);
        const receipt = (await page.textContent('[data-testid="receipt-code"]'))!.trim();
        const reportId = (await page.textContent('[data-testid="report-id"]'))!.trim();
        expect(await page.locator('[data-testid="qr-code"]').count()).toBe(1);
        // The QR code's address carries what checking needs, never the receipt code.
        const verifyHref = (await page.getAttribute('[data-testid="verify-link"]', "href"))!;
        expect(verifyHref.replace(/[^0-9A-Z]/gi, "").toUpperCase()).not.toContain(receipt.replace(/-/g, ""));
        expect((await page.textContent('[data-testid="official-receipt"]'))!).not.toContain(receipt);
        await checkPage(page, shot("receipt"), audit);

        // Copy button (the script's), then the warning on leaving before saying it is saved. The clipboard
        // is the browser's, shared by the paths running at once: one path at a time copies and reads it.
        const copied = await clipboardTurn(async () => {
          await page.click('[data-copy="receipt-code"]');
          await page.waitForSelector("#receipt-code-copied", { state: "visible" });
          return page.evaluate(() => navigator.clipboard.readText());
        });
        expect(copied.trim()).toBe(receipt);
        const dialog = page.waitForEvent("dialog");
        void page.click('header nav a[href^="/notice"]').catch(() => undefined);
        const shown = await dialog;
        expect(shown.type()).toBe("beforeunload");
        await shown.dismiss();
        expect(new URL(page.url()).pathname).toBe("/report/receipt");

        // The language switch stays on the receipt (it lives in the sealed cookie), both ways.
        await page.click('[data-testid="lang-switch"]');
        await page.waitForSelector('[data-testid="receipt-code"]');
        expect((await page.textContent('[data-testid="receipt-code"]'))!.trim()).toBe(receipt);
        expect(await page.getAttribute("html", "lang")).not.toBe(locale);
        await page.click('[data-testid="lang-switch"]');
        await page.waitForSelector('[data-testid="receipt-code"]');
        expect(await page.getAttribute("html", "lang")).toBe(locale);

        // The PDF receipt, then /verify: genuine; the same file with one changed byte in the signature: not.
        const download = page.waitForEvent("download");
        await page.click('[data-testid="download-pdf"]');
        const pdf = readFileSync((await (await download).path())!);
        expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
        writeFileSync(join(ARTIFACTS, `${shot("receipt")}.pdf`), pdf);

        // Leaving properly: "I have saved it", then the status page.
        await page.check("#saved");
        await page.click("#go-status");
        await page.waitForSelector("#receipt");
        await page.fill("#receipt", receipt);
        await page.click("#check-status");
        await page.waitForSelector('[data-testid="next-step"]');
        expect(await page.getAttribute('[data-testid="next-step"]', "data-kind")).toBe("decision");
        expect(await page.textContent('[data-testid="next-step"]')).toMatch(/20\d\d-\d\d-\d\d/);
        expect(await page.textContent('[data-testid="state-words"]')).toContain(text.state);
        expect((await page.textContent('[data-testid="own-files"]'))!).toContain("receipt.png");
        // The province in the page's language (lower levels as the data has them) and a proper plural.
        const statusText = (await page.textContent("main"))!;
        expect(statusText).toContain(locale === "en" ? "南山某某大药房 · Guangdong 深圳市 南山区" : "南山某某大药房 · 广东省 深圳市 南山区");
        expect(statusText).toContain(locale === "en" ? "Evidence submitted: 1 file" : "已提交的证据：1 个文件");
        expect(statusText).not.toContain("(s)");
        // Every link on the page keeps the language.
        for (const href of await page.locator("main a[href^='/'], header a[href^='/']").evaluateAll((as) => as.map((a) => a.getAttribute("href")!)))
          expect(href, href).toContain(`lang=`);
        await checkPage(page, shot("status"), audit);

        await page.goto(`${server.url}/verify?${q}`);
        await page.setInputFiles("#proof-file", { name: "receipt.pdf", mimeType: "application/pdf", buffer: pdf });
        await page.click("#verify-submit");
        await page.waitForSelector('[data-testid="verdict"]');
        expect(await page.getAttribute('[data-testid="verdict"]', "data-genuine")).toBe("true");
        const verdict = (await page.textContent('[data-testid="verdict"]'))!;
        expect(verdict).toContain(text.genuine);
        expect(verdict).toContain(reportId);
        await checkPage(page, shot("verify-genuine"), audit);

        // A forger edits the proof inside the PDF (one second earlier) and keeps the signature.
        const pdfText = pdf.toString("latin1");
        const embedded = /\/FundWatchProof \(([A-Za-z0-9_-]+)\)/.exec(pdfText)![1]!;
        const proof = JSON.parse(Buffer.from(embedded, "base64url").toString("utf8")) as { submittedAt: string };
        proof.submittedAt = new Date(Date.parse(proof.submittedAt) - 1000).toISOString();
        const tampered = Buffer.from(pdfText.replace(embedded, Buffer.from(JSON.stringify(proof)).toString("base64url")), "latin1");
        await page.goto(`${server.url}/verify?${q}`);
        await page.setInputFiles("#proof-file", { name: "receipt.pdf", mimeType: "application/pdf", buffer: tampered });
        await page.click("#verify-submit");
        await page.waitForSelector('[data-testid="verdict"]');
        expect(await page.getAttribute('[data-testid="verdict"]', "data-genuine")).toBe("false");
        expect(await page.textContent('[data-testid="verdict"]')).toContain(text.forged);

        // The QR code's address, opened as a phone camera would.
        await page.goto(verifyHref);
        expect(await page.getAttribute('[data-testid="verdict"]', "data-genuine")).toBe("true");

        expect(audit).toEqual(Object.fromEntries(Object.keys(audit).map((k) => [k, []])));
        expect(pageErrors).toEqual([]);
      } finally {
        await context.close();
      }
    },
  );
});
