// A person's path through the site in Debian's Chromium (driven by playwright-core): the form in
// zh-CN with a file attached, the receipt, the status page, a reply — with JavaScript on and off.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNodeServer, type RunningServer } from "../../src/node";
import { PNG_BYTES } from "../support/fixtures";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// In CI the browser must exist (.ci/run installs it); elsewhere a missing browser skips these tests.
const available = existsSync(CHROMIUM) || Boolean(process.env.CI);

const dir = mkdtempSync(join(tmpdir(), "fundwatch-browser-"));
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  if (!available) return;
  server = await startNodeServer({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: `file:${join(dir, "fundwatch.db")}`,
    SECRETS_FILE: join(dir, "secrets.json"),
    LOG_LEVEL: "silent",
    RECEIPT_LOOKUP_MIN_MS: "0",
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const RECEIPT = /^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$/;
const urls: string[] = [];

async function fillReport(page: Page, javaScript: boolean, realName: boolean) {
  await page.goto(`${server.url}/report`);
  expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
  expect(await page.textContent("h1")).toBe("举报医保欺诈骗保行为");
  await page.selectOption("#subject", "medical_institution");
  await page.selectOption("#violationType", "medical_institution:ghost_admission");
  if (javaScript) {
    // The script narrows each list to the chosen parent.
    await page.selectOption("#province", "510000");
    expect(await page.locator('#city optgroup[data-parent="110000"]').evaluate((g) => (g as HTMLOptGroupElement).disabled)).toBe(true);
    await page.selectOption("#city", "510100");
    await page.selectOption("#district", "510104");
  } else {
    // Without a script every district is listed; the district alone is enough.
    await page.selectOption("#district", "510104");
  }
  await page.fill("#targetName", "锦江某某康复医院");
  await page.fill("#occurredFrom", "2026-03-01");
  await page.fill("#amountEstimate", "8000");
  await page.fill("#description", "康复科长期挂床，病人白天回家，仍每天记账理疗项目。");
  if (realName) {
    await page.check("#anonymous-no");
    await page.fill("#reporterName", "张三");
    await page.fill("#reporterPhone", "13800138000");
    await page.fill("#reporterIdNumber", "11010519491231002X");
  } else {
    await page.check("#anonymous-yes");
  }
  await page.setInputFiles("#evidence", { name: "病房照片.png", mimeType: "image/png", buffer: Buffer.from(PNG_BYTES) });
}

describe.runIf(available).each([
  { javaScriptEnabled: true, realName: false },
  { javaScriptEnabled: false, realName: true },
])("tip form in Chromium (JavaScript $javaScriptEnabled)", ({ javaScriptEnabled, realName }) => {
  it(
    "submits with a file, shows the receipt, and opens the status page with it",
    async () => {
      const context = await browser.newContext({ javaScriptEnabled, locale: "zh-CN" });
      const page = await context.newPage();
      page.on("framenavigated", (frame) => urls.push(frame.url()));
      try {
        await fillReport(page, javaScriptEnabled, realName);
        await page.click("#submit-report");
        await page.waitForSelector('[data-testid="receipt-code"]');
        const receipt = (await page.textContent('[data-testid="receipt-code"]'))!.trim();
        const reportId = (await page.textContent('[data-testid="report-id"]'))!.trim();
        expect(receipt).toMatch(RECEIPT);
        expect(reportId).toMatch(/^FW-\d{8}-/);
        expect(await page.textContent("h1")).toBe("举报已提交");

        await page.goto(`${server.url}/status`);
        await page.fill("#receipt", receipt.toLowerCase());
        await page.click("#check-status");
        await page.waitForSelector('[data-testid="report-status"]');
        expect(await page.getAttribute('[data-testid="report-status"]', "data-status")).toBe("received");
        expect(await page.textContent("h1")).toBe(`举报 ${reportId}`);
        expect(await page.textContent("main")).toContain("已提交的证据：1 个文件");
        expect(await page.textContent("main")).toContain("成都市 锦江区");

        await page.fill("#reply-body", "补充：每周三集中办理入院。");
        await page.click("#send-reply");
        await page.waitForSelector('[data-testid="status-notice"]');
        expect(await page.textContent('[data-testid="messages"]')).toContain("补充：每周三集中办理入院。");

        for (const url of urls) expect(url).not.toContain(receipt.replace(/-/g, ""));
        for (const url of urls) expect(url).not.toContain(receipt);
      } finally {
        await context.close();
      }
    },
    60_000,
  );

  it(
    "shows errors next to the fields in Chinese and keeps what was typed",
    async () => {
      const context = await browser.newContext({ javaScriptEnabled, locale: "zh-CN" });
      const page = await context.newPage();
      try {
        await fillReport(page, javaScriptEnabled, true);
        await page.fill("#description", "");
        await page.fill("#reporterIdNumber", "110105194912310021");
        await page.click("#submit-report");
        await page.waitForSelector('[data-testid="form-errors"]');
        expect(await page.textContent('[data-field-error="description"]')).toBe("此项为必填项。");
        expect(await page.textContent('[data-field-error="reporterIdNumber"]')).toBe("身份证号码校验位不正确，请核对。");
        expect(await page.inputValue("#targetName")).toBe("锦江某某康复医院");
        expect(await page.inputValue("#reporterPhone")).toBe("13800138000");
        expect(await page.inputValue("#district")).toBe("510104");
      } finally {
        await context.close();
      }
    },
    60_000,
  );
});
