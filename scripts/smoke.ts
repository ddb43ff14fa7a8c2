// `npm run smoke`: end-to-end over real HTTP against both runtimes. Starts the Node server (embedded
// libSQL file) and the Worker in workerd (`wrangler dev`, local D1), then on each: reads the OpenAPI
// document, submits a tip with a file, reads it back with the receipt, sends a follow-up, checks that an
// unknown receipt is 404 and that the form page renders. Ends with `smoke: N passed, M failed`.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHmac } from "node:crypto";
import { generateKeyMaterial } from "../src/security/keys";
import { FakeSlack, FakeTelegram } from "../test/support/fake-chat-servers";

const HEALTH_TIMEOUT_MS = 90_000;
const PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="), (c) => c.charCodeAt(0));

let passed = 0;
let failed = 0;
const children: ChildProcess[] = [];
const dirs: string[] = [];

function check(name: string, ok: boolean, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ` — ${detail}` : ""}`);
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

function start(name: string, command: string, args: string[], env: Record<string, string>): ChildProcess {
  // detached: the child leads its own process group, so wrangler's workerd children die with it.
  const child = spawn(command, args, { env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split("\n").filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  child.on("exit", (code) => {
    if (code && code !== 0 && !stopping) console.log(`${name} exited with ${code}:\n  ${lines.slice(-15).join("\n  ")}`);
  });
  (child as ChildProcess & { recentOutput?: string[] }).recentOutput = lines;
  children.push(child);
  return child;
}

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("exit", (code) => resolve({ code: code ?? 1, output }));
  });
}

async function waitHealthy(name: string, base: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const recent = (child as ChildProcess & { recentOutput?: string[] }).recentOutput ?? [];
  console.log(`${name} did not become healthy within ${HEALTH_TIMEOUT_MS / 1000} s. Last output:\n  ${recent.slice(-20).join("\n  ")}`);
  return false;
}

const postJson = (url: string, body: unknown) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

const TG_SECRET = "smoke-telegram-secret-0123";
const SLACK_SECRET = "smoke-slack-signing-secret-0123";
let telegram: FakeTelegram;
let slack: FakeSlack;

/** The chat side on this runtime: grammY answers through the fake Bot API, Bolt acknowledges a signed command. */
async function exerciseChat(name: string, base: string) {
  const update = (secret: string | null, text: string, userId: number) =>
    fetch(`${base}/webhooks/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}) },
      body: JSON.stringify({ update_id: Date.now() % 1e9, message: { message_id: 1, date: 0, chat: { id: userId, type: "private" }, from: { id: userId, is_bot: false, first_name: "x" }, text } }),
    });
  check(`${name}: Telegram update without the secret → 401`, (await update(null, "/mine", 41)).status === 401);
  const userId = name === "node" ? 4242 : 4343;
  const res = await update(TG_SECRET, "/start NOTAVALIDCODE", userId);
  const answered = telegram.callsTo("sendMessage").find((c) => Number(c.body.chat_id) === userId);
  check(`${name}: Telegram /start answered through the Bot API`, res.status === 200 && String(answered?.body.text ?? "").includes("邀请码无效"), `status ${res.status}`);

  const body = new URLSearchParams({ command: "/fundwatch", text: "mine", user_id: "U0SMOKE", channel_id: "C0SMOKE", trigger_id: "t1", team_id: "T1", response_url: `${slack.url}/respond`, token: "x" }).toString();
  const ts = Math.floor(Date.now() / 1000);
  const sign = (secret: string) => `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;
  const post = (signature: string) =>
    fetch(`${base}/webhooks/slack`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(ts), "x-slack-signature": signature }, body });
  check(`${name}: Slack request with a bad signature → 401`, (await post(sign("not-the-signing-secret"))).status === 401);
  const ok = await post(sign(SLACK_SECRET));
  const text = ok.status === 200 ? (((await ok.json()) as { text?: string }).text ?? "") : "";
  check(`${name}: Slack command acknowledged by Bolt`, ok.status === 200 && text.includes("尚未登记"), `status ${ok.status}`);
}

/** A tip in Chengdu becomes a lead whose card reaches the team's chat through the outbox. */
async function exerciseLeadCard(name: string, base: string, chatId: string) {
  const before = telegram.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === chatId).length;
  const tip = {
    subject: "medical_institution",
    violationType: "split_hospitalisation",
    region: { districtCode: "510104" },
    targetName: `${name} 冒烟测试医院`,
    occurredFrom: "2026-01-05",
    description: "病人住满十五天即办出院，次日再办入院。",
    anonymous: true,
  };
  const res = await postJson(`${base}/api/v1/reports`, tip);
  let cards: unknown[] = [];
  for (let i = 0; i < 40 && cards.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 250));
    cards = telegram.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === chatId).slice(before);
  }
  const text = String((cards[0] as { body?: { text?: string } } | undefined)?.body?.text ?? "");
  check(`${name}: lead card delivered to the team's Telegram chat`, res.status === 201 && cards.length === 1 && text.includes(`${name} 冒烟测试医院`), `status ${res.status}, ${cards.length} card(s)`);
}

async function exercise(name: string, base: string) {
  const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as any;
  check(`${name}: OpenAPI document`, doc.openapi === "3.1.0");
  const example = doc.paths["/api/v1/reports"].post.requestBody.content["application/json"].example;

  const form = new FormData();
  form.append("report", JSON.stringify(example));
  form.append("evidence", new File([PNG], "evidence.png", { type: "image/png" }));
  const created = await fetch(`${base}/api/v1/reports`, { method: "POST", body: form });
  const createdBody = (await created.json()) as { reportId?: string; receipt?: string };
  check(`${name}: submit a tip with a file → 201 and a receipt`, created.status === 201 && /^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/.test(createdBody.receipt ?? ""), `status ${created.status}`);
  if (!createdBody.receipt) return;

  const status = await postJson(`${base}/api/v1/reports/status`, { receipt: createdBody.receipt });
  const view = (await status.json()) as any;
  check(`${name}: status read back with the receipt`, status.status === 200 && view.report?.id === createdBody.reportId && view.report?.attachmentCount === 1, `status ${status.status}`);

  const message = await postJson(`${base}/api/v1/reports/messages`, { receipt: createdBody.receipt, body: "补充：每周三集中办理。" });
  check(`${name}: follow-up message → 201`, message.status === 201, `status ${message.status}`);
  const after = (await (await postJson(`${base}/api/v1/reports/status`, { receipt: createdBody.receipt })).json()) as any;
  check(`${name}: follow-up on the timeline`, after.messages?.length === 1 && after.timeline?.some((e: any) => e.kind === "reporter_message"));

  const unknown = await postJson(`${base}/api/v1/reports/status`, { receipt: "00000-00000-00000-00000" });
  check(`${name}: unknown receipt → 404`, unknown.status === 404, `status ${unknown.status}`);

  const page = await fetch(`${base}/report`);
  const html = await page.text();
  check(`${name}: tip form page`, page.status === 200 && html.includes('name="region.districtCode"'), `status ${page.status}`);
}

let stopping = false;
function stopAll() {
  stopping = true;
  for (const child of children) {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
}

async function main() {
  const keys = await generateKeyMaterial("smoke");
  telegram = await new FakeTelegram().start();
  slack = await new FakeSlack().start();
  const chatVars = {
    TELEGRAM_BOT_TOKEN: "123456:SMOKE-token",
    TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
    TELEGRAM_API_ROOT: telegram.url,
    SLACK_BOT_TOKEN: "xoxb-smoke",
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_API_URL: `${slack.url}/api/`,
  };
  const dir = mkdtempSync(join(tmpdir(), "fundwatch-smoke-"));
  dirs.push(dir);
  const quiet = { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };

  // Node
  const nodePort = await freePort();
  const node = start("node", process.execPath, ["--import", "tsx", "src/node.ts"], {
    PORT: String(nodePort),
    HOST: "127.0.0.1",
    DATABASE_URL: `file:${join(dir, "node", "fundwatch.db")}`,
    SECRETS_FILE: join(dir, "node", "secrets.json"),
    LOG_LEVEL: "warn",
    ...chatVars,
  });

  // Worker: local D1 under its own state folder, migrations applied the way operators do.
  const state = join(dir, "wrangler-state");
  const migrated = await run("npx", ["wrangler", "d1", "migrations", "apply", "fundwatch", "--local", "--persist-to", state], quiet);
  check("worker: D1 migrations applied", migrated.code === 0, migrated.code === 0 ? "" : migrated.output.slice(-800));
  // A team for Chengdu on the Worker's D1, so a tip there produces a card through the outbox.
  const now = Date.now();
  const seeded = await run(
    "npx",
    [
      "wrangler", "d1", "execute", "fundwatch", "--local", "--persist-to", state, "--command",
      `INSERT INTO teams (id, name, region_code, platform, chat_id, locale, created_at, updated_at) VALUES ('team_smoke', 'Smoke team', '510100', 'telegram', '-100777', 'zh-CN', ${now}, ${now});` +
        ` INSERT INTO members (id, display_name, role, team_id, created_at, updated_at) VALUES ('mem_smoke', '测试员', 'inspector', 'team_smoke', ${now}, ${now});`,
    ],
    quiet,
  );
  check("worker: team seeded in D1", seeded.code === 0, seeded.code === 0 ? "" : seeded.output.slice(-800));
  const workerPort = await freePort();
  const vars = { APP_ENV: "development", ENCRYPTION_KEYS: keys.encryptionKeys, HASH_KEY: keys.hashKey, SIGNING_KEY: keys.signingKey, LOG_LEVEL: "warn", ...chatVars };
  const worker = start(
    "worker",
    "npx",
    ["wrangler", "dev", "--port", String(workerPort), "--ip", "127.0.0.1", "--persist-to", state, "--show-interactive-dev-session=false", ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`])],
    quiet,
  );

  const nodeBase = `http://127.0.0.1:${nodePort}`;
  const workerBase = `http://127.0.0.1:${workerPort}`;
  const [nodeUp, workerUp] = await Promise.all([waitHealthy("node", nodeBase, node), waitHealthy("worker", workerBase, worker)]);
  check("node: healthy", nodeUp);
  check("worker: healthy in workerd", workerUp);
  if (nodeUp) await exercise("node", nodeBase);
  if (workerUp) await exercise("worker", workerBase);
  if (nodeUp) await exerciseChat("node", nodeBase);
  if (workerUp) await exerciseChat("worker", workerBase);
  if (workerUp) await exerciseLeadCard("worker", workerBase, "-100777");
  if (nodeUp) await exerciseLeadCard("node", nodeBase, "-1001000000001");
}

const timeout = setTimeout(() => {
  console.log("smoke: timed out after 5 minutes");
  failed++;
  finish();
}, 5 * 60_000);

function finish() {
  clearTimeout(timeout);
  stopAll();
  void telegram?.stop();
  void slack?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  console.log(`smoke: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

process.on("SIGINT", () => {
  failed++;
  finish();
});

main()
  .catch((err) => {
    failed++;
    console.log(`smoke: error ${err instanceof Error ? err.stack : String(err)}`);
  })
  .finally(finish);
