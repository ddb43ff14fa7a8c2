// A person's path through the site in Debian's Chromium, driven by playwright-core: the form in zh-CN
// with a file attached, the receipt, the status page with that receipt, a reply. It runs once with
// JavaScript on (the script loads cities and districts on demand and hides the identity fields) and
// once with it off (the "list cities and districts" button posts the form back with the province's
// lists; the district alone is then enough and the server fills in the city).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client } from "@libsql/client";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNodeServer, type RunningServer } from "../../src/node";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Skip only on a developer machine without the browser; in CI a missing browser must fail.
const runBrowserTests = existsSync(CHROMIUM) || Boolean(process.env.CI);

const TIMEOUT = 60_000;
// Crockford base32 (no I, L, O, U), four groups of five.
const RECEIPT = /^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$/;
// A valid 1×1 RGBA PNG (signature, IHDR, IDAT, IEND with correct CRCs); the server sniffs the bytes.
const PNG_BYTES = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

// Beijing · 市辖区 · 朝阳区. The city level "市辖区" is left out of display names.
const PROVINCE = "110000";
const CITY = "110100";
const DISTRICT = "110105";
const REGION_SHOWN = "北京市 朝阳区";
const TARGET = "朝阳某某康复医院";
const DESCRIPTION = "康复科长期挂床住院，病人白天回家，医院仍每天记账理疗项目并报销。";
const REPLY = "补充：每周三集中办理入院，可调取门禁记录。";

let dir: string;
let server: RunningServer;
let browser: Browser;
let db: Client;

beforeAll(async () => {
  if (!runBrowserTests) return;
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (CI must install it, or set CHROMIUM_PATH)`);
  dir = mkdtempSync(join(tmpdir(), "fundwatch-browser-"));
  const databaseUrl = `file:${join(dir, "fw.db")}`;
  server = await startNodeServer({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    SECRETS_FILE: join(dir, "secrets.json"),
    LOG_LEVEL: "silent",
    RECEIPT_LOOKUP_MIN_MS: "0",
  });
  db = createClient({ url: databaseUrl });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flags Chromium's own connections are refused on a closed network.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  db?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every URL the page asked for (navigations and subresources), to prove the receipt never travels in one. */
function watch(context: BrowserContext) {
  const urls: string[] = [];
  const pageErrors: string[] = [];
  context.on("request", (request) => urls.push(request.url()));
  context.on("page", (page) => page.on("pageerror", (err) => pageErrors.push(err.message)));
  return { urls, pageErrors };
}

/** The receipt in any spelling a URL could carry it: case and separators ignored, percent-decoded. */
function expectNoReceipt(url: string, receipt: string) {
  const squash = (s: string) => s.toUpperCase().replace(/[^0-9A-Z]/g, "");
  let decoded = url;
  try {
    decoded = decodeURIComponent(url);
  } catch {
    // keep it raw
  }
  expect(squash(decoded), `receipt leaked into ${url}`).not.toContain(squash(receipt));
}

const disabled = (page: Page, selector: string) => page.locator(selector).evaluate((g) => (g as HTMLOptGroupElement).disabled);

async function fillReport(page: Page, javaScript: boolean, realName: boolean) {
  await page.goto(`${server.url}/report`);
  expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
  expect((await page.textContent("h1"))?.trim()).toBe("举报医保欺诈骗保行为");

  await page.selectOption("#subject", "medical_institution");
  if (javaScript) {
    // The script narrows the types to the chosen subject.
    expect(await disabled(page, '#violationType optgroup[data-subject="pharmacy"]')).toBe(true);
    expect(await disabled(page, '#violationType optgroup[data-subject="medical_institution"]')).toBe(false);
  }
  await page.selectOption("#violationType", "medical_institution:ghost_admission");

  const optionCount = (selector: string) => page.locator(`${selector} option`).count();
  if (javaScript) {
    // Province, then city, then district: each list is loaded for its parent from the API.
    expect(await optionCount("#city")).toBe(1);
    await page.selectOption("#province", PROVINCE);
    await page.waitForSelector(`#city option[value="${CITY}"]`, { state: "attached" });
    expect(await page.locator('#city option[value="510100"]').count()).toBe(0);
    expect(await page.isVisible("#load-regions")).toBe(false);
    await page.selectOption("#city", CITY);
    await page.waitForSelector(`#district option[value="${DISTRICT}"]`, { state: "attached" });
    expect(await page.locator('#district option[value="120101"]').count()).toBe(0);
    await page.selectOption("#district", DISTRICT);
  } else {
    // Without the script: the province, then the button that lists its cities and districts.
    await page.selectOption("#province", PROVINCE);
    await page.click("#load-regions");
    await page.waitForSelector(`#district option[value="${DISTRICT}"]`, { state: "attached" });
    expect(await page.inputValue("#violationType")).toBe("medical_institution:ghost_admission");
    expect(await page.locator('#district option[value="510104"]').count()).toBe(0);
    await page.selectOption("#district", DISTRICT);
    expect(await page.inputValue("#province")).toBe(PROVINCE);
    expect(await page.inputValue("#city")).toBe("");
  }

  await page.fill("#targetName", TARGET);
  await page.fill("#occurredFrom", "2025-03-01");
  await page.fill("#amountEstimate", "8000");
  await page.fill("#description", DESCRIPTION);

  const identity = page.locator("#identity-fields");
  // With the script the identity fields stay hidden until "real name" is chosen; without it they always show.
  expect(await identity.isVisible()).toBe(!javaScript);
  if (realName) {
    await page.check("#anonymous-no");
    expect(await identity.isVisible()).toBe(true);
    await page.fill("#reporterName", "张三");
    await page.fill("#reporterPhone", "13800138000");
    await page.fill("#reporterIdNumber", "11010519491231002X");
  } else {
    await page.check("#anonymous-yes");
    expect(await identity.isVisible()).toBe(!javaScript);
  }
  await page.setInputFiles("#evidence", { name: "病房照片.png", mimeType: "image/png", buffer: PNG_BYTES });
}

describe.runIf(runBrowserTests).each([
  { javaScriptEnabled: true, realName: false },
  { javaScriptEnabled: false, realName: true },
])("report form in Chromium, zh-CN, JavaScript $javaScriptEnabled", ({ javaScriptEnabled, realName }) => {
  it(
    `submits ${realName ? "under a real name" : "anonymously"} with a file, shows the receipt, and opens the status page with it`,
    async () => {
      const context = await browser.newContext({ javaScriptEnabled, locale: "zh-CN" });
      const { urls, pageErrors } = watch(context);
      const page = await context.newPage();
      const steps: string[] = [];
      try {
        await fillReport(page, javaScriptEnabled, realName);
        steps.push(page.url());
        await page.click("#submit-report");
        await page.waitForSelector('[data-testid="receipt-code"]');
        steps.push(page.url());

        // The receipt page.
        expect((await page.textContent("h1"))?.trim()).toBe("举报已提交");
        const receipt = (await page.textContent('[data-testid="receipt-code"]'))!.trim();
        const reportId = (await page.textContent('[data-testid="report-id"]'))!.trim();
        expect(receipt).toMatch(RECEIPT);
        expect(reportId).toMatch(/^FW-\d{8}-[0-9A-Z]+$/);
        // The print button is the script's; without it the button stays hidden.
        expect(await page.locator('[data-action="print"]').isVisible()).toBe(javaScriptEnabled);

        // Reload shows the same receipt and files nothing new (Post/Redirect/Get).
        const reportCount = async () => Number((await db.execute("select count(*) as n from reports")).rows[0]!.n);
        const reportsBefore = await reportCount();
        await page.reload();
        await page.waitForSelector('[data-testid="receipt-code"]');
        expect((await page.textContent('[data-testid="receipt-code"]'))!.trim()).toBe(receipt);
        expect(await reportCount()).toBe(reportsBefore);

        // What was stored: the server filled in province and city from the district (JavaScript off)
        // or took the three that agree (on); identity only under a real name; one file.
        const row = (await db.execute({ sql: "select province_code, city_code, district_code, region_code, is_anonymous, reporter_enc from reports where id = ?", args: [reportId] })).rows[0];
        expect(row).toBeDefined();
        expect([row!.province_code, row!.city_code, row!.district_code, row!.region_code]).toEqual([PROVINCE, CITY, DISTRICT, DISTRICT]);
        expect(Number(row!.is_anonymous)).toBe(realName ? 0 : 1);
        expect(row!.reporter_enc === null).toBe(!realName);
        const files = await db.execute({ sql: "select count(*) as n from report_attachments where report_id = ?", args: [reportId] });
        expect(Number(files.rows[0]!.n)).toBe(1);

        // To the status page through the receipt page's own link, and type the receipt in
        // (in lower case once: the code is case-insensitive).
        // Moving on needs "I have saved it" (the server checks, with or without the script).
        await page.click("#go-status");
        await page.waitForSelector('[data-field-error="saved"]');
        expect(await page.getAttribute("#saved", "aria-invalid")).toBe("true");
        await page.check("#saved");
        await page.click("#go-status");
        await page.waitForSelector("#receipt");
        steps.push(page.url());
        await page.fill("#receipt", javaScriptEnabled ? receipt : receipt.toLowerCase());
        await page.click("#check-status");
        await page.waitForSelector('[data-testid="report-status"]');
        steps.push(page.url());

        expect((await page.textContent("h1"))?.trim()).toBe(`举报 ${reportId}`);
        expect(await page.getAttribute('[data-testid="report-status"]', "data-status")).toBe("received");
        expect((await page.textContent('[data-testid="report-status"]'))?.trim()).toBe("已接收");
        const main = (await page.textContent("main"))!;
        expect(main).toContain("已提交的证据：1 个文件");
        expect(main).toContain(`${TARGET} · ${REGION_SHOWN}`);
        expect(main).toContain("挂床住院");

        // A reply from the tipster shows in the conversation.
        await page.fill("#reply-body", REPLY);
        await page.click("#send-reply");
        await page.waitForSelector('[data-testid="status-notice"]');
        steps.push(page.url());
        const mine = page.locator('[data-testid="messages"] [data-from="reporter"]');
        expect(await mine.count()).toBe(1);
        // Reloading after the reply does not post it twice.
        await page.reload();
        await page.waitForSelector('[data-testid="report-status"]');
        expect(await mine.count()).toBe(1);
        expect((await mine.locator(".body").textContent())?.trim()).toBe(REPLY);
        expect((await mine.locator(".meta").textContent())?.trim()).toMatch(/^您 · \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);

        // The receipt went only in POST bodies: never in the address bar, never in any request URL.
        expect(steps.length).toBe(5);
        expect(urls.some((u) => u.includes("/api/v1/regions"))).toBe(javaScriptEnabled);
        for (const url of steps) expectNoReceipt(url, receipt);
        expect(urls.length).toBeGreaterThan(5);
        for (const url of urls) expectNoReceipt(url, receipt);
        expect(pageErrors).toEqual([]);
      } finally {
        await context.close();
      }
    },
    TIMEOUT,
  );

  it(
    "shows errors next to the fields in Chinese and keeps what was typed",
    async () => {
      const context = await browser.newContext({ javaScriptEnabled, locale: "zh-CN" });
      const { pageErrors } = watch(context);
      const page = await context.newPage();
      try {
        await fillReport(page, javaScriptEnabled, true);
        await page.fill("#description", "");
        await page.fill("#reporterIdNumber", "110105194912310021"); // check digit should be X
        await page.click("#submit-report");
        await page.waitForSelector('[data-testid="form-errors"]');

        expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
        // One summary, the only alert, linking to each field in the order of the form.
        expect((await page.textContent('[data-testid="form-errors"] .summary-title'))?.trim()).toBe("提交未成功，请修改下列标出的问题。");
        expect(await page.locator('[role="alert"]').count()).toBe(1);
        expect(await page.locator('[data-testid="form-errors"] a').evaluateAll((as) => as.map((a) => a.getAttribute("href")))).toEqual(["#description", "#reporterIdNumber"]);
        expect(await page.getAttribute("#description", "aria-invalid")).toBe("true");
        expect(await page.getAttribute("#reporterIdNumber", "aria-invalid")).toBe("true");
        expect(await page.getAttribute("#targetName", "aria-invalid")).toBeNull();
        const description = page.locator('[data-field-error="description"]');
        const idNumber = page.locator('[data-field-error="reporterIdNumber"]');
        expect((await description.textContent())?.trim()).toBe("此项为必填项。");
        expect((await idNumber.textContent())?.trim()).toBe("身份证号码校验位不正确，请核对。");
        // Next to their fields: in the same field block, right after the input.
        expect(await description.evaluate((el) => el.previousElementSibling?.id)).toBe("description");
        expect(await idNumber.evaluate((el) => el.previousElementSibling?.id)).toBe("reporterIdNumber");
        expect(await page.locator(".field.has-error #description").count()).toBe(1);
        expect(await page.locator(".field.has-error #reporterIdNumber").count()).toBe(1);
        expect(await page.getAttribute("#description", "aria-describedby")).toBe("description-hint description-error");
        // Only those two.
        expect(await page.locator("[data-field-error]").count()).toBe(2);

        // What was typed is kept (the file has to be chosen again, and the page says so).
        expect(await page.inputValue("#targetName")).toBe(TARGET);
        expect(await page.inputValue("#subject")).toBe("medical_institution");
        expect(await page.inputValue("#violationType")).toBe("medical_institution:ghost_admission");
        expect(await page.inputValue("#occurredFrom")).toBe("2025-03-01");
        expect(await page.inputValue("#amountEstimate")).toBe("8000");
        expect(await page.isChecked("#anonymous-no")).toBe(true);
        expect(await page.inputValue("#reporterName")).toBe("张三");
        expect(await page.inputValue("#reporterPhone")).toBe("13800138000");
        expect(await page.inputValue("#reporterIdNumber")).toBe("110105194912310021");
        expect(await page.inputValue("#district")).toBe(DISTRICT);
        // With the script, the region choice survives its narrowing on load.
        if (javaScriptEnabled) {
          expect(await page.inputValue("#province")).toBe(PROVINCE);
          expect(await page.inputValue("#city")).toBe(CITY);
          expect(await page.locator("#identity-fields").isVisible()).toBe(true);
          // …and moves focus to the summary, whose links lead to the fields.
          expect(await page.evaluate(() => document.activeElement?.id)).toBe("error-summary");
          await page.click('[data-testid="form-errors"] a[href="#description"]');
          expect(await page.evaluate(() => document.activeElement?.id)).toBe("description");
        }
        expect(await page.textContent("main")).toContain("出于安全考虑，页面重新显示后需要重新选择文件。");
        expect(await page.inputValue("#evidence")).toBe("");
        expect(pageErrors).toEqual([]);
      } finally {
        await context.close();
      }
    },
    TIMEOUT,
  );
});
