// Issue 17's citizen glitches in Chromium (playwright-core), on a phone, in zh-CN and en: the reward
// claim form's inputs look like the report form's and nothing in them is cut off; the next step names
// the claim and its deadline, then the review, then the payment date; the paid reward shows its date
// and amount; English pages name the province in English and count "1 file"; money is written the
// Chinese way in zh-CN. Staff steps (conclusion, approvals, payment) run through the same use cases
// the chat and CLI call, on the running server's database.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config";
import { shanghaiDate } from "../../src/core/time";
import { openLibsqlDatabase, type OpenedDatabase } from "../../src/db/libsql-file";
import { leadReports, members } from "../../src/db/schema";
import { loadKeyMaterial, startNodeServer, type RunningServer } from "../../src/node";
import { importKeyRing } from "../../src/security/keys";
import { createConsoleLogger, type ServiceDeps } from "../../src/services/deps";
import { runLeadCommand } from "../../src/services/leads/leads";
import { reviewRewardClaim } from "../../src/services/rewards/claims";
import { PNG_BYTES, REAL_NAME, validReport } from "../support/fixtures";
import { CHENGDU } from "../support/round-trips";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const runBrowserTests = existsSync(CHROMIUM) || Boolean(process.env.CI);
const TIMEOUT = 120_000;
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 };
const NBSP = "\u00a0";
const BANK = "中国工商银行成都市春熙路支行营业部";

let dir: string;
let server: RunningServer;
let browser: Browser;
let opened: OpenedDatabase;
let deps: ServiceDeps;

beforeAll(async () => {
  if (!runBrowserTests) return;
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (CI must install it, or set CHROMIUM_PATH)`);
  dir = mkdtempSync(join(tmpdir(), "fundwatch-reward-"));
  const env = {
    PORT: "0",
    HOST: "127.0.0.1",
    APP_ENV: "test",
    DATABASE_URL: `file:${join(dir, "fw.db")}`,
    SECRETS_FILE: join(dir, "secrets.json"),
    LOG_LEVEL: "silent",
    RECEIPT_LOOKUP_MIN_MS: "0",
    ORG_SEED_FILE: "examples/org.example.yaml",
  } as const;
  server = await startNodeServer(env);
  // The staff side: the server's own database and keys, as the admin CLI opens them.
  const config = parseConfig(env);
  const log = createConsoleLogger("silent");
  opened = await openLibsqlDatabase(config.DATABASE_URL);
  deps = { db: opened.db, keys: await importKeyRing(await loadKeyMaterial(config, log)), config, now: () => new Date(), log };
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  opened?.client.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const member = async (name: string) => (await deps.db.query.members.findFirst({ where: eq(members.displayName, name) }))!;

/** A real-name tip in Chengdu asking for a reward, with one photo, filed through the public API. */
async function fileTip(targetName: string) {
  const form = new FormData();
  form.append("report", JSON.stringify(validReport({ region: CHENGDU, targetName, anonymous: false, reporter: REAL_NAME, wantsReward: true })));
  form.append("evidence", new File([PNG_BYTES as Uint8Array<ArrayBuffer>], "ward.png", { type: "image/png" }));
  const res = await fetch(`${server.url}/api/v1/reports`, { method: "POST", body: form });
  expect(res.status).toBe(201);
  const { reportId, receipt } = (await res.json()) as { reportId: string; receipt: string };
  const leadId = (await deps.db.query.leadReports.findFirst({ where: eq(leadReports.reportId, reportId) }))!.leadId;
  return { reportId, receipt, leadId };
}

async function conclude(leadId: string, amountFen: number) {
  const actor = { member: await member("陈静"), platform: "cli" as const };
  for (const command of [{ type: "accept" as const }, { type: "investigate" as const }, { type: "conclude" as const, outcome: "substantiated" as const, amountFen }])
    expect((await runLeadCommand(deps, { leadId, command, actor, dedupeKey: `e2e:${leadId}:${command.type}` })).status).toBe("done");
}

interface Box {
  fontSize: string;
  height: number;
  width: number;
  borderTopWidth: string;
  paddingLeft: string;
  right: number;
  clipped: boolean;
}

/** What a text input looks like: computed font size, border and padding, its box, and whether its text overflows. */
const inputBox = (page: Page, selector: string): Promise<Box> =>
  page.locator(selector).evaluate((el) => {
    const input = el as HTMLInputElement;
    const style = getComputedStyle(input);
    const box = input.getBoundingClientRect();
    return { fontSize: style.fontSize, height: Math.round(box.height), width: Math.round(box.width), borderTopWidth: style.borderTopWidth, paddingLeft: style.paddingLeft, right: box.right, clipped: input.scrollWidth > input.clientWidth };
  });

async function axeSeriousOrCritical(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string | null }[] }> } }).axe;
    const { violations } = await axe.run(document, { resultTypes: ["violations"] });
    return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
  });
}

const TEXT = {
  "zh-CN": {
    amount: `17,845.68${NBSP}元`,
    claim: (date: string) => `请于 ${date} 当日结束前填写下方的申领表`,
    review: "先由协调组审核，再由财务人员复核",
    paid: (date: string) => `奖励 17,845.68${NBSP}元 已于 ${date} 发放。您无需再做什么。`,
    region: "四川省 成都市 锦江区",
    files: "已提交的证据：1 个文件",
  },
  en: {
    amount: `CNY${NBSP}17,845.68`,
    claim: (date: string) => `Fill in the claim form below by the end of ${date}`,
    review: "A coordinator reviews it first; then the finance staff approve it",
    paid: (date: string) => `The reward of CNY${NBSP}17,845.68 was paid on ${date}. There is nothing more you need to do.`,
    region: "Sichuan 成都市 锦江区",
    files: "Evidence submitted: 1 file",
  },
} as const;

describe.runIf(runBrowserTests).each(["zh-CN", "en"] as const)("the reward on the status page in Chromium, %s, phone", (locale) => {
  it(
    "claims through a form styled like the report form, says what comes next at each step and shows the payment",
    async () => {
      const text = TEXT[locale];
      const tip = await fileTip(locale === "en" ? "成都某某骨科医院" : "成都某某康复医院");
      await conclude(tip.leadId, 123_456_789);
      const context = await browser.newContext({ ...PHONE, locale, bypassCSP: true });
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(e.message));
      try {
        // The report form's text inputs: the yardstick for the claim form's.
        await page.goto(`${server.url}/report?lang=${locale}`);
        const reference = await inputBox(page, "#targetName");
        expect(reference.height).toBeGreaterThanOrEqual(44);

        await page.goto(`${server.url}/status?lang=${locale}`);
        await page.fill("#receipt", tip.receipt);
        await page.click("#check-status");
        await page.waitForSelector('[data-testid="next-step"]');
        const main = (await page.textContent("main"))!;
        expect(main).toContain(text.region);
        expect(main).toContain(text.files);
        expect(main).not.toContain("(s)");
        expect(main).not.toMatch(/\d\s*[¥￥]/);

        // Claimable: the next step is the claim, with the amount and the deadline (not "nothing more to do").
        const deadline = (await page.textContent('[data-testid="reward-deadline"]'))!.trim().slice(0, 10);
        expect(deadline).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(await page.getAttribute('[data-testid="next-step"]', "data-kind")).toBe("reward_claim");
        const claimStep = (await page.textContent('[data-testid="next-step"] p'))!;
        expect(claimStep).toContain(text.amount);
        expect(claimStep).toContain(text.claim(deadline));
        expect((await page.textContent('[data-testid="reward-amount"]'))!).toContain(text.amount);

        // The claim form's inputs look like the report form's: same font size, height and width; none cut off.
        await page.fill("#claim-name", REAL_NAME.name);
        await page.fill("#claim-id-number", REAL_NAME.idNumber);
        await page.fill("#claim-phone", "13912345678");
        await page.fill("#claim-account", "6222020200112233445");
        await page.fill("#claim-bank", BANK);
        for (const id of ["#claim-name", "#claim-id-number", "#claim-phone", "#claim-account", "#claim-bank"]) {
          const box = await inputBox(page, id);
          expect({ id, fontSize: box.fontSize, height: box.height, width: box.width, border: box.borderTopWidth, padding: box.paddingLeft }).toEqual({
            id,
            fontSize: reference.fontSize,
            height: reference.height,
            width: reference.width,
            border: reference.borderTopWidth,
            padding: reference.paddingLeft,
          });
          expect(box.right, `${id} runs off the screen`).toBeLessThanOrEqual(390);
          expect(box.clipped, `${id}'s text is cut off`).toBe(false);
        }
        expect(await axeSeriousOrCritical(page)).toEqual([]);

        await page.click("#claim-reward");
        await page.waitForSelector('[data-testid="reward"][data-status="claimed"]');
        expect(await page.getAttribute('[data-testid="next-step"]', "data-kind")).toBe("reward_review");
        expect((await page.textContent('[data-testid="next-step"] p'))!).toContain(text.review);

        // Two approvals by two people, then finance pays: the page shows the date and the amount.
        const claimId = (await deps.db.query.rewardClaims.findFirst({ where: (c, { eq: is }) => is(c.leadId, tip.leadId) }))!.id;
        await reviewRewardClaim(deps, { claimId, action: "approve", member: await member("陈静"), platform: "cli" });
        await reviewRewardClaim(deps, { claimId, action: "approve", member: await member("刘洋"), platform: "cli" });
        await reviewRewardClaim(deps, { claimId, action: "pay", member: await member("刘洋"), platform: "cli", text: "ICBC-E2E-001" });
        const today = shanghaiDate(new Date());
        await page.reload();
        await page.waitForSelector('[data-testid="reward"][data-status="paid"]');
        expect((await page.textContent('[data-testid="reward-paid-on"]'))!.trim()).toBe(today);
        expect((await page.textContent('[data-testid="reward-amount"]'))!.trim()).toBe(text.amount);
        expect(await page.getAttribute('[data-testid="next-step"]', "data-kind")).toBe("reward_paid");
        expect((await page.textContent('[data-testid="next-step"] p'))!.trim()).toBe(text.paid(today));
        expect(await page.textContent("main")).not.toContain("ICBC-E2E-001");
        expect(await axeSeriousOrCritical(page)).toEqual([]);
        expect(pageErrors).toEqual([]);
      } finally {
        await context.close();
      }
    },
    TIMEOUT,
  );
});
