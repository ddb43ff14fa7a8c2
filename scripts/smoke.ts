// `npm run smoke`: end-to-end over real HTTP against both runtimes. Starts the Node server (embedded
// libSQL file) and the Worker in workerd (`wrangler dev`, local D1) as child processes, then on each:
// reads the OpenAPI document, submits a tip with a file, reads it back with the receipt, sends a
// follow-up, checks that an unknown receipt is 404 and that the form page renders; then the chat side
// (grammY, Bolt) through fake Telegram/Slack servers, a lead card whose case page serves the
// evidence back byte for byte, and on the Worker a Feishu card pressed through an encrypted, signed
// callback (scripts/smoke-feishu.ts). One line per check; the last line is always `smoke: N passed, M failed`.
//
// Everything lives in a temporary folder that is removed at the end; both servers run in their own
// process groups (wrangler starts workerd children) and are killed on success, failure, timeout and
// Ctrl+C. The Worker is given its variables with --var and an empty --env-file, so a developer's
// .dev.vars or .env never leaks into the run (and nothing is written to the repository).
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@libsql/client";
import { configSchema } from "../src/config";
import { receiptFromBytes, RECEIPT_RANDOM_BYTES } from "../src/core/receipt";
import { generateKeyMaterial, importKeyRing, type KeyMaterial } from "../src/security/keys";
import type { ServiceDeps } from "../src/services/deps";
import { caseLinkToken } from "../src/services/chat-actions";
import { FakeSlack, FakeTelegram } from "../test/support/fake-chat-servers";
import type { FakeFeishu } from "../test/support/fake-feishu";
import { exerciseFeishu, feishuSeedSql, feishuVars, startFakeFeishu } from "./smoke-feishu";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const WRANGLER = join(ROOT, "node_modules/wrangler/bin/wrangler.js");
const HEALTH_TIMEOUT_MS = 90_000;
const REQUEST_TIMEOUT_MS = 20_000;
const OVERALL_TIMEOUT_MS = 5 * 60_000;
// A real 1×1 PNG (70 bytes); the server sniffs the type from the bytes.
const PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="), (c) => c.charCodeAt(0));

let passed = 0;
let failed = 0;
let finishing = false;

function check(name: string, ok: boolean, detail = "") {
  if (finishing) return;
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ` — ${detail}` : ""}`);
}

/** Runs one group of checks; an exception fails that group only, the other runtime still runs. */
async function group(name: string, fn: () => Promise<void>) {
  try {
    await fn();
  } catch (err) {
    check(name, false, `error: ${err instanceof Error ? err.message : String(err)}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Child processes

interface Child {
  name: string;
  process: ChildProcess;
  output: string[];
  startedAt: number;
}

const children: Child[] = [];
const dirs: string[] = [];

/** The caller's environment without FundWatch's own variables, so a developer's shell cannot steer the run. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const own = new Set(Object.keys(configSchema.shape));
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !own.has(k)) env[k] = v;
  return { ...env, ...extra };
}

function start(name: string, args: string[], env: Record<string, string>): Child {
  // detached: the child leads its own process group, so signalling -pid reaches workerd too.
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: cleanEnv(env), detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const child: Child = { name, process: proc, output: [], startedAt: Date.now() };
  const keep = (chunk: Buffer) => {
    // eslint-disable-next-line no-control-regex
    child.output.push(...chunk.toString().replace(/\x1b\[[0-9;]*m/g, "").split("\n").filter((l) => l.trim()));
    if (child.output.length > 60) child.output.splice(0, child.output.length - 60);
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  proc.on("error", (err) => child.output.push(`spawn error: ${err.message}`));
  children.push(child);
  return child;
}

const running = (c: Child) => c.process.exitCode === null && c.process.signalCode === null;

function run(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, args, { cwd: ROOT, env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    proc.stdout.on("data", (d) => (output += d));
    proc.stderr.on("data", (d) => (output += d));
    proc.on("error", (err) => resolve({ code: 1, output: err.message }));
    proc.on("exit", (code) => resolve({ code: code ?? 1, output }));
  });
}

function signalGroup(child: Child, signal: NodeJS.Signals) {
  if (!child.process.pid) return;
  try {
    process.kill(-child.process.pid, signal);
  } catch {
    // the group is gone
  }
}

/** SIGTERM to every group, up to 5 s for the leaders to exit, then SIGKILL to whatever is left. */
async function stopChildren() {
  for (const c of children) signalGroup(c, "SIGTERM");
  const exited = (c: Child) => (running(c) ? new Promise<void>((r) => c.process.once("exit", () => r())) : Promise.resolve());
  await Promise.race([Promise.all(children.map(exited)), new Promise((r) => setTimeout(r, 5000))]);
  for (const c of children) signalGroup(c, "SIGKILL");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(child: Child, base: string): Promise<{ ok: boolean; detail: string }> {
  const started = Date.now();
  while (Date.now() - started < HEALTH_TIMEOUT_MS && !finishing) {
    if (!running(child)) {
      return { ok: false, detail: `exited (${child.process.exitCode ?? child.process.signalCode}) before becoming healthy; last output:\n    ${child.output.slice(-20).join("\n    ")}` };
    }
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return { ok: true, detail: `healthy ${((Date.now() - child.startedAt) / 1000).toFixed(1)} s after start` };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { ok: false, detail: `GET ${base}/healthz not 200 within ${HEALTH_TIMEOUT_MS / 1000} s; last output:\n    ${child.output.slice(-20).join("\n    ")}` };
}

// ---------------------------------------------------------------------------------------------------
// HTTP helpers

const http = (url: string, init: RequestInit = {}) => fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
const postJson = (url: string, body: unknown) => http(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function json(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return { unparsed: text.slice(0, 200) };
  }
}

function multipartReport(report: unknown): FormData {
  const form = new FormData();
  form.append("report", JSON.stringify(report));
  form.append("evidence", new File([PNG], "evidence.png", { type: "image/png" }));
  return form;
}

// ---------------------------------------------------------------------------------------------------
// Checks

interface Target {
  name: "node" | "worker";
  base: string;
  /** Keys the server runs with, and a coordinator allowed on every case page. */
  caseAccess: () => Promise<{ keys: KeyMaterial; memberId: string }>;
  teamChatId: string;
}

/** The citizen's side: OpenAPI, a tip with a file, status, follow-up, unknown receipt, form page. */
async function exerciseReports({ name, base }: Target) {
  const docRes = await http(`${base}/api/v1/openapi.json`);
  const doc = await json(docRes);
  check(`${name}: GET /api/v1/openapi.json`, docRes.status === 200 && doc.openapi === "3.1.0", `status ${docRes.status}`);
  const createReport = Object.values((doc.paths ?? {}) as Record<string, Record<string, any>>)
    .flatMap((item) => Object.values(item))
    .find((op) => op?.operationId === "createReport");
  const example = createReport?.requestBody?.content?.["application/json"]?.example;
  if (!example) {
    check(`${name}: createReport has a JSON example`, false);
    return;
  }

  const created = await http(`${base}/api/v1/reports`, { method: "POST", body: multipartReport(example) });
  const createdBody = await json(created);
  check(
    `${name}: POST /api/v1/reports (multipart, 1 PNG) → 201 with a receipt`,
    created.status === 201 && /^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/.test(createdBody.receipt ?? ""),
    `status ${created.status}${created.status === 201 ? "" : `, ${JSON.stringify(createdBody).slice(0, 200)}`}`,
  );
  if (!createdBody.receipt) return;

  const status = await postJson(`${base}/api/v1/reports/status`, { receipt: createdBody.receipt });
  const view = await json(status);
  check(
    `${name}: status by receipt → 200, same report, attachmentCount 1`,
    status.status === 200 && view.report?.id === createdBody.reportId && view.report?.attachmentCount === 1,
    `status ${status.status}, attachmentCount ${view.report?.attachmentCount}`,
  );

  const text = "补充：每周三集中办理。";
  const message = await postJson(`${base}/api/v1/reports/messages`, { receipt: createdBody.receipt, body: text });
  check(`${name}: follow-up message → 201`, message.status === 201, `status ${message.status}`);
  const after = await json(await postJson(`${base}/api/v1/reports/status`, { receipt: createdBody.receipt }));
  check(
    `${name}: status shows the follow-up`,
    after.messages?.length === 1 && JSON.stringify(after.messages).includes(text) && after.timeline?.some((e: any) => e.kind === "reporter_message"),
  );

  // Well-formed (20 symbols of the receipt alphabet) but never issued.
  const unknownReceipt = receiptFromBytes(crypto.getRandomValues(new Uint8Array(RECEIPT_RANDOM_BYTES)));
  const unknown = await postJson(`${base}/api/v1/reports/status`, { receipt: unknownReceipt });
  check(`${name}: unknown receipt → 404`, unknown.status === 404, `status ${unknown.status}`);

  const page = await http(`${base}/report`);
  const html = await page.text();
  check(`${name}: GET /report → 200 HTML form`, page.status === 200 && (page.headers.get("content-type") ?? "").startsWith("text/html") && html.includes("<form"), `status ${page.status}`);
}

const TG_SECRET = "smoke-telegram-secret-0123";
const SLACK_SECRET = "smoke-slack-signing-secret-0123";
let telegram: FakeTelegram | undefined;
let slack: FakeSlack | undefined;
let feishu: FakeFeishu | undefined;

/** The chat side on this runtime: grammY answers through the fake Bot API, Bolt acknowledges a signed command. */
async function exerciseChat({ name, base }: Target) {
  const update = (secret: string | null, text: string, userId: number) =>
    http(`${base}/webhooks/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}) },
      body: JSON.stringify({ update_id: Date.now() % 1e9, message: { message_id: 1, date: 0, chat: { id: userId, type: "private" }, from: { id: userId, is_bot: false, first_name: "x" }, text } }),
    });
  check(`${name}: Telegram update without the secret → 401`, (await update(null, "/mine", 41)).status === 401);
  const userId = name === "node" ? 4242 : 4343;
  const res = await update(TG_SECRET, "/start NOTAVALIDCODE", userId);
  // The answer goes through the outbox, delivered right after the response (waitUntil on Workers).
  const answerOf = () => telegram!.callsTo("sendMessage").find((c) => Number(c.body.chat_id) === userId);
  for (let i = 0; i < 100 && !answerOf(); i++) await new Promise((r) => setTimeout(r, 100));
  const answered = answerOf();
  check(`${name}: Telegram /start answered through the Bot API`, res.status === 200 && String(answered?.body.text ?? "").includes("邀请码无效"), `status ${res.status}`);

  const body = new URLSearchParams({ command: "/fundwatch", text: "mine", user_id: "U0SMOKE", channel_id: "C0SMOKE", trigger_id: "t1", team_id: "T1", response_url: `${slack!.url}/respond`, token: "x" }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const sign = (secret: string) => `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;
  const post = (signature: string) =>
    http(`${base}/webhooks/slack`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(ts), "x-slack-signature": signature }, body });
  check(`${name}: Slack request with a bad signature → 401`, (await post(sign("not-the-signing-secret"))).status === 401);
  const ok = await post(sign(SLACK_SECRET));
  const text = ok.status === 200 ? ((await json(ok)).text ?? "") : "";
  check(`${name}: Slack command acknowledged by Bolt`, ok.status === 200 && text.includes("尚未登记"), `status ${ok.status}`);
}

/**
 * A tip with a file in Chengdu becomes a lead whose card reaches the team's chat through the outbox;
 * the case page (signed link) then serves the evidence back, decrypted from its stored chunks.
 */
async function exerciseLeadCard(target: Target) {
  const { name, base, teamChatId } = target;
  const sent = () => telegram!.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === teamChatId);
  const before = sent().length;
  const tip = {
    subject: "medical_institution",
    violationType: "split_hospitalisation",
    region: { districtCode: "510104" },
    targetName: `${name} 冒烟测试医院`,
    occurredFrom: "2026-01-05",
    description: "病人住满十五天即办出院，次日再办入院。",
    anonymous: true,
  };
  const res = await http(`${base}/api/v1/reports`, { method: "POST", body: multipartReport(tip) });
  let cards: ReturnType<typeof sent> = [];
  for (let i = 0; i < 40 && cards.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 250));
    cards = sent().slice(before);
  }
  const text = String(cards[0]?.body?.text ?? "");
  check(`${name}: lead card delivered to the team's Telegram chat`, res.status === 201 && cards.length === 1 && text.includes(`${name} 冒烟测试医院`), `status ${res.status}, ${cards.length} card(s)`);
  const leadId = /L-[0-9A-Z]{10}/.exec(text)?.[0];
  if (!leadId) return;

  const { keys, memberId } = await target.caseAccess();
  const token = await caseLinkToken({ keys: await importKeyRing(keys) } as ServiceDeps, leadId, memberId, Date.now() + 10 * 60_000);
  const page = await http(`${base}/cases/${leadId}?t=${encodeURIComponent(token)}`);
  const html = await page.text();
  const href = /href="(\/cases\/[^"]+\/attachments\/[^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, "&");
  check(`${name}: case page lists the evidence`, page.status === 200 && !!href, `status ${page.status}`);
  if (!href) return;
  const file = await http(`${base}${href}`);
  const bytes = new Uint8Array(await file.arrayBuffer());
  check(
    `${name}: evidence downloads intact (stored encrypted in chunks)`,
    file.status === 200 && file.headers.get("content-type") === "image/png" && bytes.length === PNG.length && bytes.every((b, i) => b === PNG[i]),
    `status ${file.status}, ${bytes.length} bytes`,
  );
}

const SMOKE_UNIT_CHAT = "-100888";

/** The Workers cron path (scheduled → runTick → campaign reminders → outbox → Bot API) sends the due reminder. */
async function exerciseCron({ name, base }: Target) {
  const res = await http(`${base}/__scheduled?cron=${encodeURIComponent("* * * * *")}`);
  const sent = () => telegram!.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === SMOKE_UNIT_CHAT);
  for (let i = 0; i < 80 && sent().length === 0; i++) await new Promise((r) => setTimeout(r, 250));
  const reminder = sent()[0];
  const buttons = JSON.stringify(reminder?.body.reply_markup ?? {});
  check(
    `${name}: cron tick sends the due campaign reminder to the unit's chat`,
    res.status === 200 && sent().length === 1 && String(reminder?.body.text).includes("距截止还有") && buttons.includes("fw:c-recv:asg_smoke"),
    `status ${res.status}, ${sent().length} message(s)${sent().length === 1 ? "" : `; worker's last output:\n    ${workerOutput().join("\n    ")}`}`,
  );
}

/** The Worker's last log lines (its own console and wrangler's), for a failed check to show why. */
const workerOutput = () => children.find((c) => c.name === "worker")?.output.slice(-30) ?? [];

// ---------------------------------------------------------------------------------------------------

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "fundwatch-smoke-"));
  dirs.push(dir);
  telegram = await new FakeTelegram().start();
  slack = await new FakeSlack().start();
  feishu = await startFakeFeishu();
  const chatVars = {
    TELEGRAM_BOT_TOKEN: "123456:SMOKE-token",
    TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
    TELEGRAM_API_ROOT: telegram.url,
    SLACK_BOT_TOKEN: "xoxb-smoke",
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_API_URL: `${slack.url}/api/`,
  };
  const quiet = { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CLOUDFLARE_INCLUDE_PROCESS_ENV: "false", CI: "true", NO_COLOR: "1" };

  // Node: development keys generated into SECRETS_FILE, the example organisation seeded (APP_ENV=development).
  const nodeDir = join(dir, "node");
  mkdirSync(nodeDir);
  const nodeDb = join(nodeDir, "fw.db");
  const secretsFile = join(nodeDir, "secrets.json");
  const nodePort = await freePort();
  // The production start: the compiled bundle under plain Node, exactly what `npm start` runs.
  const built = await run(["scripts/build-node.mjs"], {});
  if (built.code !== 0) throw new Error(`npm run build failed:\n${built.output}`);
  const node = start("node", ["--enable-source-maps", "dist/node.js"], {
    APP_ENV: "development",
    PORT: String(nodePort),
    HOST: "127.0.0.1",
    DATABASE_URL: `file:${nodeDb}`,
    SECRETS_FILE: secretsFile,
    LOG_LEVEL: "warn",
    ...chatVars,
  });

  // Worker: local D1 under its own state folder, migrations applied the way operators do.
  const state = join(dir, "wrangler-state");
  const migrated = await run([WRANGLER, "d1", "migrations", "apply", "fundwatch", "--local", "--persist-to", state], quiet);
  check("worker: wrangler d1 migrations apply --local", migrated.code === 0, migrated.code === 0 ? "" : migrated.output.slice(-800));
  // A team for Chengdu and a coordinator in the Worker's D1, so a tip there produces a card and a case page.
  const now = Date.now();
  const seeded = await run(
    [
      WRANGLER, "d1", "execute", "fundwatch", "--local", "--persist-to", state, "--command",
      `INSERT INTO teams (id, name, region_code, platform, chat_id, locale, created_at, updated_at) VALUES ('team_smoke', 'Smoke team', '510100', 'telegram', '-100777', 'zh-CN', ${now}, ${now});` +
        ` INSERT INTO members (id, display_name, role, team_id, created_at, updated_at) VALUES ('mem_smoke', '测试员', 'inspector', 'team_smoke', ${now}, ${now});` +
        ` INSERT INTO members (id, display_name, role, team_id, created_at, updated_at) VALUES ('mem_smoke_coord', '协调员', 'coordinator', NULL, ${now}, ${now});` +
        // A campaign unit with one assignment due in three days whose reminder time has come: the cron tick must send it.
        ` INSERT INTO units (id, name, kind, region_code, platform, chat_id, locale, created_at, updated_at) VALUES ('smoke-hospital', '冒烟测试医院', 'institution', '510107', 'telegram', '${SMOKE_UNIT_CHAT}', 'zh-CN', ${now}, ${now});` +
        ` INSERT INTO campaigns (id, name, year, region_code, issuer, definition, created_at, updated_at) VALUES ('cmp_smoke', '冒烟测试专项', 2026, '510000', '冒烟测试', '{}', ${now}, ${now});` +
        ` INSERT INTO deliverables (id, campaign_id, key, title, unit_kinds, due_on, created_at) VALUES ('dlv_smoke', 'cmp_smoke', 'smoke-report', '冒烟测试报告', '["institution"]', '2026-01-01', ${now});` +
        ` INSERT INTO assignments (id, campaign_id, deliverable_id, unit_id, due_at, next_reminder_at, created_at, updated_at) VALUES ('asg_smoke', 'cmp_smoke', 'dlv_smoke', 'smoke-hospital', ${now + 3 * 86_400_000}, 1, ${now}, ${now});` +
        // A Feishu team for Mianyang: the mainland platforms' adapters and handlers on the Worker path.
        feishuSeedSql(now),
    ],
    quiet,
  );
  check("worker: team and members seeded in D1", seeded.code === 0, seeded.code === 0 ? "" : seeded.output.slice(-800));

  const workerKeys = await generateKeyMaterial("smoke");
  const vars = { APP_ENV: "development", ENCRYPTION_KEYS: workerKeys.encryptionKeys, HASH_KEY: workerKeys.hashKey, SIGNING_KEY: workerKeys.signingKey, LOG_LEVEL: "warn", ...chatVars, ...feishuVars(feishu) };
  // An empty --env-file makes wrangler skip .dev.vars and .env in the repository.
  const noEnvFile = join(dir, "no.env");
  writeFileSync(noEnvFile, "");
  const workerPort = await freePort();
  const worker = start(
    "worker",
    [
      WRANGLER, "dev", "--test-scheduled", "--port", String(workerPort), "--ip", "127.0.0.1", "--persist-to", state, "--env-file", noEnvFile, "--show-interactive-dev-session=false",
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    quiet,
  );

  const targets: Target[] = [
    {
      name: "node",
      base: `http://127.0.0.1:${nodePort}`,
      teamChatId: "-1001000000001", // 成都市核查一组 in examples/org.example.yaml
      async caseAccess() {
        const keys = JSON.parse(readFileSync(secretsFile, "utf8")) as KeyMaterial;
        const client = createClient({ url: `file:${nodeDb}` });
        try {
          const row = (await client.execute("SELECT id FROM members WHERE role = 'coordinator' AND active = 1 LIMIT 1")).rows[0];
          if (!row) throw new Error("no coordinator seeded on node");
          return { keys, memberId: String(row.id) };
        } finally {
          client.close();
        }
      },
    },
    { name: "worker", base: `http://127.0.0.1:${workerPort}`, teamChatId: "-100777", caseAccess: async () => ({ keys: workerKeys, memberId: "mem_smoke_coord" }) },
  ];
  const health = await Promise.all([waitHealthy(node, targets[0]!.base), waitHealthy(worker, targets[1]!.base)]);
  check("node: GET /healthz → 200 (node dist/node.js, as npm start)", health[0]!.ok, health[0]!.detail);
  check("worker: GET /healthz → 200 (wrangler dev, workerd)", health[1]!.ok, health[1]!.detail);
  const up = targets.filter((_, i) => health[i]!.ok);

  for (const t of up) await group(`${t.name}: reports`, () => exerciseReports(t));
  for (const t of up) await group(`${t.name}: chat`, () => exerciseChat(t));
  for (const t of up) await group(`${t.name}: lead card and case page`, () => exerciseLeadCard(t));
  if (health[1]!.ok) await group("worker: cron tick", () => exerciseCron(targets[1]!));
  if (health[1]!.ok) await group("worker: Feishu", () => exerciseFeishu({ name: "worker", base: targets[1]!.base, fake: feishu!, http, check, tipBody: multipartReport }));
}

async function finish(code?: number) {
  if (finishing) return;
  finishing = true;
  clearTimeout(timeout);
  await stopChildren();
  await Promise.race([Promise.all([telegram?.stop(), slack?.stop(), feishu?.stop()]), new Promise((r) => setTimeout(r, 1000))]);
  for (const d of dirs) {
    try {
      rmSync(d, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    } catch (err) {
      console.log(`could not remove ${d}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  console.log(`smoke: ${passed} passed, ${failed} failed`);
  process.exit(code ?? (failed === 0 && passed > 0 ? 0 : 1));
}

const timeout = setTimeout(() => {
  check(`smoke finished within ${OVERALL_TIMEOUT_MS / 1000} s`, false, "timed out; stopping the servers");
  void finish();
}, OVERALL_TIMEOUT_MS);

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    check("smoke ran to the end", false, `interrupted by ${signal}`);
    void finish(1);
  });
}
// Last resort if something exits the process another way: no server outlives the smoke test.
process.on("exit", () => {
  for (const c of children) signalGroup(c, "SIGKILL");
});

main()
  .catch((err) => check("smoke set-up", false, `error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`))
  .finally(() => finish());
