// The Feishu part of `npm run smoke`, run against the Worker in workerd: the adapters and inbound
// handlers of the mainland platforms must work on the Worker path (fetch, WebCrypto, the pure-JS AES).
// A tip in Mianyang reaches the Feishu team's chat as an interactive card through FEISHU_API_BASE (a
// fake on loopback); an encrypted, signed url_verification is answered; an encrypted, signed
// card.action.trigger on Acknowledge, delivered twice, answers with a toast and edits the card once.
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { FakeFeishu } from "../test/support/fake-feishu";

export const SMOKE_FEISHU = {
  appId: "cli_smoke0000000001",
  appSecret: "smoke-feishu-app-secret-0123",
  verificationToken: "smoke-feishu-verification",
  encryptKey: "smoke-feishu-encrypt-key-0123",
  teamChat: "oc_smoke_team",
  inspectorOpenId: "ou_smoke_inspector",
};

/** The Worker's Feishu variables, pointing at the fake. */
export function feishuVars(fake: FakeFeishu): Record<string, string> {
  return {
    FEISHU_APP_ID: SMOKE_FEISHU.appId,
    FEISHU_APP_SECRET: SMOKE_FEISHU.appSecret,
    FEISHU_VERIFICATION_TOKEN: SMOKE_FEISHU.verificationToken,
    FEISHU_ENCRYPT_KEY: SMOKE_FEISHU.encryptKey,
    FEISHU_API_BASE: fake.url,
  };
}

export const startFakeFeishu = () => new FakeFeishu({ appId: SMOKE_FEISHU.appId, appSecret: SMOKE_FEISHU.appSecret }).start();

/** SQL seeding the Worker's D1: a Feishu team for Mianyang (5107) with one enrolled inspector. */
export function feishuSeedSql(now: number): string {
  return (
    ` INSERT INTO teams (id, name, region_code, platform, chat_id, locale, created_at, updated_at) VALUES ('team_smoke_feishu', '绵阳核查组', '510700', 'feishu', '${SMOKE_FEISHU.teamChat}', 'zh-CN', ${now}, ${now});` +
    ` INSERT INTO members (id, display_name, role, team_id, feishu_user_id, created_at, updated_at) VALUES ('mem_smoke_feishu', '飞书核查员', 'inspector', 'team_smoke_feishu', '${SMOKE_FEISHU.inspectorOpenId}', ${now}, ${now});`
  );
}

/** Encrypted with the Encrypt Key and signed, exactly as Feishu sends callbacks. */
function feishuRequest(payload: unknown): RequestInit {
  const key = createHash("sha256").update(SMOKE_FEISHU.encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  const body = JSON.stringify({ encrypt: Buffer.concat([iv, cipher.update(JSON.stringify(payload), "utf8"), cipher.final()]).toString("base64") });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(8).toString("hex");
  const signature = createHash("sha256").update(timestamp + nonce + SMOKE_FEISHU.encryptKey + body).digest("hex");
  return { method: "POST", headers: { "content-type": "application/json", "x-lark-request-timestamp": timestamp, "x-lark-request-nonce": nonce, "x-lark-signature": signature }, body };
}

type Check = (name: string, ok: boolean, detail?: string) => void;
type Http = (url: string, init?: RequestInit) => Promise<Response>;

async function until<T>(read: () => T | undefined, ms: number): Promise<T | undefined> {
  for (let waited = 0; waited < ms; waited += 250) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  return read();
}

export async function exerciseFeishu(input: { name: string; base: string; fake: FakeFeishu; http: Http; check: Check; tipBody: (tip: Record<string, unknown>) => BodyInit }) {
  const { name, base, fake, http, check } = input;
  const challenge = await http(`${base}/webhooks/feishu`, feishuRequest({ type: "url_verification", challenge: "smoke-challenge", token: SMOKE_FEISHU.verificationToken }));
  const answered = challenge.status === 200 ? ((await challenge.json()) as { challenge?: string }).challenge : undefined;
  check(`${name}: Feishu encrypted url_verification answered`, answered === "smoke-challenge", `status ${challenge.status}`);

  const tip = {
    subject: "medical_institution",
    violationType: "split_hospitalisation",
    region: { districtCode: "510703" },
    targetName: `${name} 飞书冒烟医院`,
    occurredFrom: "2026-01-05",
    description: "病人住满十五天即办出院，次日再办入院。",
    anonymous: true,
  };
  const res = await http(`${base}/api/v1/reports`, { method: "POST", body: input.tipBody(tip) });
  const card = await until(() => fake.sentTo(SMOKE_FEISHU.teamChat).find((m) => m.msgType === "interactive"), 15_000);
  const cardText = JSON.stringify(card?.content ?? {});
  const leadId = /L-[0-9A-Z]{10}/.exec(cardText)?.[0];
  check(`${name}: lead card delivered to the Feishu team as an interactive card`, res.status === 201 && !!card && cardText.includes(`${name} 飞书冒烟医院`) && !!leadId, `status ${res.status}`);
  if (!card || !leadId) return;

  const eventId = `smoke_${randomBytes(8).toString("hex")}`;
  const press = {
    schema: "2.0",
    header: { event_id: eventId, token: SMOKE_FEISHU.verificationToken, create_time: String(Date.now()), event_type: "card.action.trigger", tenant_key: "tk", app_id: SMOKE_FEISHU.appId },
    event: {
      operator: { tenant_key: "tk", open_id: SMOKE_FEISHU.inspectorOpenId },
      action: { value: { a: "ack", id: leadId }, tag: "button" },
      context: { open_message_id: card.messageId, open_chat_id: SMOKE_FEISHU.teamChat },
    },
  };
  const first = await http(`${base}/webhooks/feishu`, feishuRequest(press));
  const toast = first.status === 200 ? ((await first.json()) as { toast?: { content?: string } }).toast?.content : undefined;
  const again = await http(`${base}/webhooks/feishu`, feishuRequest(press));
  const edited = await until(() => (card.history.length > 1 ? card : undefined), 15_000);
  // A moment for a second edit, which a press taken twice would cause.
  await new Promise((r) => setTimeout(r, 1500));
  check(
    `${name}: signed card.action.trigger Acknowledge (delivered twice) answers a toast and edits the card once`,
    first.status === 200 && again.status === 200 && !!toast && !!edited && card.history.length === 2,
    `status ${first.status}/${again.status}, toast ${toast ?? "none"}, ${card.history.length - 1} edit(s)`,
  );
}
