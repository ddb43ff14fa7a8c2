// The staff workspace's "done when" in Chromium (playwright-core) against the real Node server, its
// delivery loop and tick, and fake Telegram and Slack servers on loopback: a tip's card reaches the
// Chengdu team's chat; a coordinator signs in through `npm run admin -- login` (a real process), finds
// the tip on the overview, acknowledges it on the lead page (the card is edited, one event with platform
// web); concludes another real-name tip, whose claim gets its first approval and the same person's
// second refused in words; previews and starts a campaign with past deadlines (start messages only, one
// notice to the coordinators, no reminder for a past slot) and nudges a late unit; signs out (the old
// cookie no longer works). Another team's inspector cannot open the lead; a used link is refused.
// axe-core finds no serious or critical violation on any workspace page, in zh-CN and en, on a phone and
// a desktop. With UPDATE_SCREENSHOTS=1 it rewrites docs/screenshots/workspace-{overview,lead,board}.png.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createClient, type Client } from "@libsql/client";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNodeServer, type RunningServer } from "../../src/node";
import { fakeChatEnv } from "../support/chat-harness";
import { FakeSlack, FakeTelegram } from "../support/fake-chat-servers";
import { REAL_NAME, validReport } from "../support/fixtures";
import { CHENGDU } from "../support/round-trips";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Skip only on a developer machine without the browser; in CI a missing browser must fail.
const runBrowserTests = existsSync(CHROMIUM) || Boolean(process.env.CI);
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1";
const SCREENSHOTS = join(process.cwd(), "docs", "screenshots");
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const CHENGDU_CHATS = ["-1001000000001", "-1001000000002"];
const COORDINATOR_CHAT = "C0COORDINATE";
const CLAIM = { identity: { name: "李秀英", idNumber: REAL_NAME.idNumber, phone: "13912345678" }, payout: { method: "bank", account: "6222020200112233445", bankName: "中国工商银行成都分行" } };
const run = promisify(execFile);

let dir: string;
let server: RunningServer;
let browser: Browser;
let db: Client;
let telegram: FakeTelegram;
let slack: FakeSlack;
let serverEnv: Record<string, string>;
/** When each of the server's finished ticks ran. */
const tickTimes: number[] = [];

/** Shared between the steps: one coordinator's browser, the leads, the claim, the campaign. */
const s = {} as {
  context: BrowserContext;
  page: Page;
  leadId: string;
  cardChat: string;
  cardMessageId: string;
  coordinatorLink: string;
  inspectorLink: string;
  claimId: string;
  rewardLeadId: string;
  campaignId: string;
  audit: Record<string, string[]>;
};

const VIEWPORTS: Record<"phone" | "desktop", BrowserContextOptions> = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 },
  desktop: { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 },
};

beforeAll(async () => {
  if (!runBrowserTests) return;
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (CI must install it, or set CHROMIUM_PATH)`);
  dir = mkdtempSync(join(tmpdir(), "fundwatch-workspace-"));
  telegram = await new FakeTelegram().start();
  slack = await new FakeSlack({ wallClockTs: true }).start();
  const databaseUrl = `file:${join(dir, "fw.db")}`;
  // Development (the default): the example organisation is seeded on the first start, and the cookie is
  // not `__Host-` (plain http on loopback). The tick runs every second, so a reminder it would send
  // for a past slot shows within the test; the test waits for ticks it is told of (onTick), not a time.
  serverEnv = {
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    SECRETS_FILE: join(dir, "secrets.json"),
    LOG_LEVEL: "silent",
    RECEIPT_LOOKUP_MIN_MS: "0",
    CRON_SCHEDULE: "* * * * * *",
    ...fakeChatEnv(telegram, slack),
  };
  server = await startNodeServer(serverEnv, { onTick: (at) => void tickTimes.push(at.getTime()) });
  db = createClient({ url: databaseUrl });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flags Chromium's own connections are refused on a closed network.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  db?.close();
  await server?.close();
  await telegram?.stop();
  await slack?.stop();
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

/** Standards mode and axe, recorded under `name` (every audit is asserted empty at the end of its step). */
async function audit(page: Page, name: string, into: Record<string, string[]>) {
  expect(await page.evaluate(() => document.compatMode), `${name} is in quirks mode`).toBe("CSS1Compat");
  into[name] = await axeProblems(page);
}

const clean = (a: Record<string, string[]>) => Object.fromEntries(Object.keys(a).map((k) => [k, []]));

async function screenshot(page: Page, name: string) {
  if (!UPDATE_SCREENSHOTS) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function sql<T = Record<string, unknown>>(statement: string, args: (string | number)[] = []): Promise<T[]> {
  return (await db.execute({ sql: statement, args })).rows as unknown as T[];
}

const memberId = async (name: string) => (await sql<{ id: string }>("SELECT id FROM members WHERE display_name = ?", [name]))[0]!.id;

/** Polls until `check` holds (the server's delivery loop and tick work on their own time). */
async function until<T>(what: string, check: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `npm run admin -- login <member-id>` as a real process against the server's database and secrets. */
async function adminLogin(memberIdValue: string): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/admin.ts", "login", memberIdValue], {
    env: { ...process.env, DATABASE_URL: serverEnv.DATABASE_URL, SECRETS_FILE: serverEnv.SECRETS_FILE, PUBLIC_BASE_URL: server.url, LOG_LEVEL: "error" },
    timeout: 60_000,
  });
  const link = stdout.trimEnd().split("\n").at(-1)!;
  expect(link).toMatch(new RegExp(`^${server.url.replace(/[.]/g, "\\.")}/staff/signin\\?t=[A-Za-z0-9_-]{43}$`));
  return link;
}

/** A tip filed through the public JSON API in Chengdu, under the reporter's real name, asking for a reward. */
async function fileTip(targetName: string): Promise<{ receipt: string; leadId: string }> {
  const res = await fetch(`${server.url}/api/v1/reports`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(validReport({ region: CHENGDU, targetName, anonymous: false, reporter: REAL_NAME, wantsReward: true })),
  });
  expect(res.status).toBe(201);
  const { reportId, receipt } = (await res.json()) as { reportId: string; receipt: string };
  const [link] = await sql<{ lead_id: string }>("SELECT lead_id FROM lead_reports WHERE report_id = ?", [reportId]);
  return { receipt, leadId: link!.lead_id };
}

/** Submits the form with this selector on the page and waits for the page it lands on. */
async function submit(page: Page, formSelector: string) {
  const [response] = await Promise.all([page.waitForNavigation(), page.locator(`${formSelector} button[type=submit]`).first().click()]);
  return response;
}

/** Chat messages sent to `chat` on either fake (Telegram sendMessage, Slack chat.postMessage), with their text. */
function sentTo(chat: string): { at: number; text: string }[] {
  return [
    ...telegram.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === chat).map((c) => ({ at: c.at, text: String(c.body.text ?? "") })),
    ...slack.callsTo("chat.postMessage").filter((c) => String(c.body.channel) === chat).map((c) => ({ at: c.at, text: `${String(c.body.text ?? "")} ${JSON.stringify(c.body.blocks ?? "")}` })),
  ];
}

describe.runIf(runBrowserTests)("the staff workspace in Chromium", () => {
  it("delivers a new tip's card to the Chengdu team's Telegram chat", { timeout: 60_000 }, async () => {
    const tip = await fileTip("成都某某骨科医院");
    s.leadId = tip.leadId;
    const card = await until("the lead card", async () => (await sql<{ chat_id: string; sent_message_id: string | null; status: string }>("SELECT chat_id, sent_message_id, status FROM outbox WHERE lead_id = ? AND kind = 'card' AND status = 'sent'", [s.leadId]))[0]);
    expect(CHENGDU_CHATS).toContain(card.chat_id);
    s.cardChat = card.chat_id;
    s.cardMessageId = card.sent_message_id!;
    const sent = telegram.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === s.cardChat);
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.some((c) => String(c.body.text).includes("成都某某骨科医院"))).toBe(true);
    // The card names no tipster.
    for (const c of sent) expect(String(c.body.text)).not.toContain(REAL_NAME.name);
  });

  it("signs a coordinator in through `npm run admin -- login`: the link's confirmation, then the overview", { timeout: 90_000 }, async () => {
    // Both links at once (each is a process start): the coordinator's, and another team's inspector's for later.
    [s.coordinatorLink, s.inspectorLink] = await Promise.all([adminLogin(await memberId("陈静")), adminLogin(await memberId("Tom Lee"))]);
    s.audit = {};
    s.context = await browser.newContext({ ...VIEWPORTS.desktop, locale: "zh-CN", bypassCSP: true });
    s.page = await s.context.newPage();
    const page = s.page;
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(s.coordinatorLink);
    expect(await page.getAttribute("html", "lang")).toBe("zh-CN");
    expect(await page.locator('[data-testid="sign-in-form"]').count()).toBe(1);
    expect(await page.textContent("main")).toContain("陈静");
    await audit(page, "signin-confirm", s.audit);
    await submit(page, '[data-testid="sign-in-form"]');
    expect(new URL(page.url()).pathname).toBe("/staff");
    expect(await page.textContent('[data-testid="who"]')).toContain("陈静");
    const cookies = await s.context.cookies();
    const session = cookies.find((c) => c.name === "fw_staff")!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    expect(pageErrors).toEqual([]);
  });

  it("finds the tip on the overview, opens the lead and acknowledges it: the card is edited, one event with platform web", { timeout: 60_000 }, async () => {
    const page = s.page;
    await page.goto(`${server.url}/staff`);
    const row = page.locator(`tr[data-lead="${s.leadId}"]`).first();
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain("成都某某骨科医院");
    await audit(page, "overview", s.audit);
    await screenshot(page, "workspace-overview");

    await Promise.all([page.waitForNavigation(), row.locator(`a[href="/staff/leads/${s.leadId}"]`).click()]);
    expect(new URL(page.url()).pathname).toBe(`/staff/leads/${s.leadId}`);
    const main = (await page.textContent("main"))!;
    expect(main).toContain("成都某某骨科医院");
    // Need-to-know: the tipster's identity is not on the page.
    expect(main).not.toContain(REAL_NAME.name);
    expect(main).not.toContain(REAL_NAME.phone);
    await audit(page, "lead", s.audit);

    const edits = telegram.callsTo("editMessageText").length;
    await submit(page, 'form[data-action="acknowledge"]');
    expect(await page.textContent('[data-testid="lead-notice"]')).toBeTruthy();
    expect((await page.textContent('[data-testid="lead-state"]'))!.trim()).toBe("已确认");
    await audit(page, "lead-acknowledged", s.audit);
    await screenshot(page, "workspace-lead");

    const edit = await until("the card's edit", () =>
      telegram.callsTo("editMessageText").slice(edits).find((c) => String(c.body.chat_id) === s.cardChat && String(c.body.message_id) === s.cardMessageId),
    );
    expect(String(edit.body.text)).toContain("已确认");
    const acks = await sql<{ platform: string; actor_id: string; platform_ref: string | null }>("SELECT platform, actor_id, platform_ref FROM events WHERE entity_id = ? AND action = 'lead.acknowledge'", [s.leadId]);
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({ platform: "web", actor_id: await memberId("陈静") });
    expect(acks[0]!.platform_ref).toBeTruthy();
    expect(s.audit).toEqual(clean(s.audit));
  });

  it("concludes another tip with an amount; its claim gets the first approval and the same person's second is refused in words", { timeout: 60_000 }, async () => {
    const page = s.page;
    const tip = await fileTip("成都某某血透中心");
    s.rewardLeadId = tip.leadId;
    expect(s.rewardLeadId).not.toBe(s.leadId);
    await page.goto(`${server.url}/staff/leads/${s.rewardLeadId}`);
    await submit(page, 'form[data-action="accept"]');
    await submit(page, 'form[data-action="investigate"]');
    const conclude = page.locator('form[data-action="conclude"]');
    await conclude.locator("select[name=outcome]").selectOption("substantiated");
    await conclude.locator("input[name=amount]").fill("1234567.89");
    await submit(page, 'form[data-action="conclude"]');
    expect((await page.textContent('[data-testid="lead-state"]'))!.trim()).toBe("已办结");
    expect(await page.textContent('[data-testid="lead-amount"]')).toContain("1,234,567.89");
    await audit(page, "lead-concluded", s.audit);

    const claimed = await fetch(`${server.url}/api/v1/reports/reward-claim`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ receipt: tip.receipt, ...CLAIM }) });
    expect(claimed.status).toBe(201);
    s.claimId = ((await claimed.json()) as { claimId: string }).claimId;

    await page.goto(`${server.url}/staff/rewards`);
    expect(await page.locator(`[data-testid="claims-waiting"] a[href="/staff/rewards/${s.claimId}"]`).count()).toBe(1);
    await audit(page, "rewards", s.audit);
    await page.goto(`${server.url}/staff/rewards/${s.claimId}`);
    expect(await page.locator('[data-testid="your-step"]').count()).toBe(1);
    expect(await page.textContent("main")).not.toContain(CLAIM.payout.account);
    await audit(page, "claim", s.audit);
    await submit(page, '[data-testid="form-approve"]');
    expect(await page.textContent('[data-testid="notice"]')).toBeTruthy();
    expect(await page.textContent("main")).toContain("陈静作出第一次审核");
    expect(await page.locator('[data-testid="first-approver"]').count()).toBe(1);
    await audit(page, "claim-approved", s.audit);
    // The same person, the second approval: refused in words, nothing changes.
    const [refused] = await Promise.all([page.waitForNavigation(), page.locator('[data-testid="form-approve"] button[type=submit]').click()]);
    expect(refused!.status()).toBe(403);
    expect(await page.textContent('[data-testid="refusal"]')).toContain("第一次审核是您作出的，您不能再作第二次审核");
    await audit(page, "claim-refused", s.audit);
    const [claim] = await sql<{ status: string }>("SELECT status FROM reward_claims WHERE id = ?", [s.claimId]);
    expect(claim!.status).toBe("coordinator_approved");
    expect(s.audit).toEqual(clean(s.audit));
  });

  it("previews a campaign with past deadlines, starts it (start messages only, one coordinators' notice) and nudges a late unit", { timeout: 90_000 }, async () => {
    const page = s.page;
    await page.goto(`${server.url}/staff/campaigns`);
    await audit(page, "campaigns", s.audit);
    await Promise.all([page.waitForNavigation(), page.click('[data-testid="start-campaign"]')]);
    expect(new URL(page.url()).pathname).toBe("/staff/campaigns/new");
    await audit(page, "campaign-new", s.audit);
    await page.selectOption("#template", "jilin-2020");
    await page.fill("#year", "2026");
    await page.fill("#region", "510000");
    await submit(page, '[data-testid="choose-form"]');
    // The clock is real (December 2026): the template's early deadlines are past, and no unit has an enrolled contact.
    expect(await page.locator('[data-testid="past-warning"]').count()).toBe(1);
    expect(await page.locator("[data-past]").count()).toBeGreaterThan(0);
    expect(await page.locator("[data-unenrolled]").count()).toBeGreaterThan(0);
    await audit(page, "campaign-preview", s.audit);
    expect(await sql("SELECT id FROM campaigns WHERE template_id = 'jilin-2020'")).toEqual([]);

    const startedAt = Date.now();
    await submit(page, '[data-testid="start-form"]');
    const path = new URL(page.url()).pathname;
    expect(path).toMatch(/^\/staff\/campaigns\/cmp_\w+$/);
    s.campaignId = path.split("/").at(-1)!;
    const [campaign] = await sql<{ name: string }>("SELECT name FROM campaigns WHERE id = ?", [s.campaignId]);

    // Every start message out: one per unit, one for the coordinators.
    const starts = await until("the start messages", async () => {
      const rows = await sql<{ chat_id: string; status: string; dedupe_key: string }>("SELECT chat_id, status, dedupe_key FROM outbox WHERE dedupe_key LIKE ?", [`campaign-start:${s.campaignId}:%`]);
      return rows.length > 0 && rows.every((r) => r.status === "sent") ? rows : null;
    });
    const unitChats = new Set((await sql<{ chat_id: string }>("SELECT DISTINCT u.chat_id FROM assignments a JOIN units u ON u.id = a.unit_id WHERE a.campaign_id = ?", [s.campaignId])).map((r) => r.chat_id));
    expect(unitChats.size).toBeGreaterThan(0);
    expect(new Set(starts.map((r) => r.chat_id))).toEqual(new Set([...unitChats, COORDINATOR_CHAT]));
    // Two whole ticks later: still nothing else for this campaign — no reminder for a slot already past.
    const startsSentAt = Date.now();
    await until("two ticks after the start messages", () => tickTimes.filter((t) => t >= startsSentAt).length >= 2);
    const reminders = await sql("SELECT o.dedupe_key FROM outbox o WHERE o.dedupe_key LIKE 'reminder:%' AND substr(o.dedupe_key, 10, instr(substr(o.dedupe_key, 10), ':') - 1) IN (SELECT id FROM assignments WHERE campaign_id = ?)", [s.campaignId]);
    expect(reminders).toEqual([]);
    const aboutIt = (chat: string) => sentTo(chat).filter((m) => m.at >= startedAt && m.text.includes(campaign!.name));
    for (const chat of unitChats) expect(aboutIt(chat).length, `messages to ${chat}`).toBeLessThanOrEqual(1);
    expect(aboutIt(COORDINATOR_CHAT)).toHaveLength(1);
    await page.goto(`${server.url}/staff/campaigns/${s.campaignId}`);
    await audit(page, "board", s.audit);
    await screenshot(page, "workspace-board");

    // Nudge one late unit from the board: one message to its chat.
    const nudge = page.locator('form[data-testid="cell-nudge"]').first();
    const action = (await nudge.getAttribute("action"))!;
    const assignmentId = /assignments\/([^/]+)\/nudge/.exec(action)![1]!;
    const [unit] = await sql<{ chat_id: string }>("SELECT u.chat_id FROM assignments a JOIN units u ON u.id = a.unit_id WHERE a.id = ?", [assignmentId]);
    const before = sentTo(unit!.chat_id).length;
    await Promise.all([page.waitForNavigation(), nudge.locator("button[type=submit]").click()]);
    expect(await page.locator('[data-flash="nudged"]').count()).toBe(1);
    await audit(page, "board-nudged", s.audit);
    await until("the nudge", async () => (await sql<{ status: string }>("SELECT status FROM outbox WHERE dedupe_key LIKE ?", [`nudge:${assignmentId}:%`])).every((r) => r.status === "sent") && sentTo(unit!.chat_id).length > before);
    await new Promise((r) => setTimeout(r, 1000));
    expect(sentTo(unit!.chat_id).length - before).toBe(1);
    expect(await sql("SELECT id FROM outbox WHERE dedupe_key LIKE ?", [`nudge:${assignmentId}:%`])).toHaveLength(1);
    expect(s.audit).toEqual(clean(s.audit));
  });

  // The four audits only read (each in its own browser context), so they run at once: the browser's
  // processes work while this file's worker waits (they were 44 s of this file's 77 s one after another).
  it.concurrent.for([
    ["zh-CN", "phone"],
    ["en", "phone"],
    ["zh-CN", "desktop"],
    ["en", "desktop"],
  ] as const)("every workspace page passes axe-core in %s on a %s", { timeout: 90_000 }, async ([locale, viewport], { expect }) => {
    const context = await browser.newContext({ ...VIEWPORTS[viewport], locale, bypassCSP: true });
    await context.addCookies((await s.context.cookies()).filter((c) => c.name === "fw_staff"));
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    const found: Record<string, string[]> = {};
    try {
      // The inspector's link is only looked at here (the confirmation spends nothing).
      await page.goto(`${s.inspectorLink}&lang=${locale}`);
      expect(await page.getAttribute("html", "lang")).toBe(locale);
      await audit(page, "signin-confirm", found);
      const pages: [string, string][] = [
        ["overview", "/staff"],
        ["leads", "/staff/leads"],
        ["lead", `/staff/leads/${s.leadId}`],
        ["lead-concluded", `/staff/leads/${s.rewardLeadId}`],
        ["batches", "/staff/batches"],
        ["campaigns", "/staff/campaigns"],
        ["board", `/staff/campaigns/${s.campaignId}`],
        ["campaign-new", "/staff/campaigns/new"],
        ["rewards", "/staff/rewards"],
        ["claim", `/staff/rewards/${s.claimId}`],
        ["people", "/staff/people"],
      ];
      for (const [name, path] of pages) {
        const res = await page.goto(`${server.url}${path}${path.includes("?") ? "&" : "?"}lang=${locale}`);
        // A page that does not answer is recorded with the rest, so one run names every problem.
        if (res!.status() !== 200) {
          found[name] = [`${path} answered ${res!.status()}`];
          continue;
        }
        expect(await page.getAttribute("html", "lang"), path).toBe(locale);
        await audit(page, name, found);
      }
      // The preview: the form as the page offers it.
      await page.goto(`${server.url}/staff/campaigns/new?lang=${locale}`);
      await page.selectOption("#template", "jilin-2020");
      await page.fill("#year", "2026");
      await page.fill("#region", "510000");
      await submit(page, '[data-testid="choose-form"]');
      expect(await page.locator('[data-testid="past-warning"]').count()).toBe(1);
      await audit(page, "campaign-preview", found);
      expect(found).toEqual(clean(found));
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("signs out: the old cookie no longer opens /staff", { timeout: 30_000 }, async () => {
    const page = s.page;
    const cookie = (await s.context.cookies()).find((c) => c.name === "fw_staff")!;
    await page.goto(`${server.url}/staff`);
    await Promise.all([page.waitForNavigation(), page.click('[data-testid="sign-out"]')]);
    expect(new URL(page.url()).pathname).toBe("/staff/signin");
    expect(await page.locator('[data-testid="signed-out"]').count()).toBe(1);
    await audit(page, "signed-out", s.audit);
    const res = await page.goto(`${server.url}/staff`);
    expect(res!.status()).toBe(401);
    expect(await page.locator('[data-testid="sign-in-help"]').count()).toBe(1);
    await audit(page, "sign-in-help", s.audit);
    // The old cookie itself, sent again: refused.
    const replay = await fetch(`${server.url}/staff`, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain('data-testid="sign-in-help"');
    expect(s.audit).toEqual(clean(s.audit));
    await s.context.close();
  });

  it("keeps another team's inspector out of the Chengdu lead, and refuses a used link", { timeout: 30_000 }, async () => {
    const context = await browser.newContext({ ...VIEWPORTS.phone, locale: "en", bypassCSP: true });
    const page = await context.newPage();
    try {
      await page.goto(s.inspectorLink);
      await submit(page, '[data-testid="sign-in-form"]');
      expect(new URL(page.url()).pathname).toBe("/staff");
      expect(await page.textContent('[data-testid="who"]')).toContain("Tom Lee");
      const lead = await page.goto(`${server.url}/staff/leads/${s.leadId}`);
      expect([403, 404]).toContain(lead!.status());
      expect(await page.textContent("body")).not.toContain("成都某某骨科医院");
      // Both links are spent.
      for (const link of [s.inspectorLink, s.coordinatorLink]) {
        const used = await page.goto(link);
        expect(used!.status()).toBeGreaterThanOrEqual(400);
        expect(used!.status()).toBeLessThan(500);
        expect(await page.locator('[data-testid="link-refused"]').count()).toBe(1);
      }
    } finally {
      await context.close();
    }
  });
});
