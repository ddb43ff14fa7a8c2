// What a chat test does on DingTalk: post a robot message (signed with timestamp + sign as DingTalk signs
// it), press a button on a card the fake received (a card callback signed with x-ddpaas-signature), enrol a
// member with `join CODE` in the private chat, and read what a chat received. Signatures are computed here
// with node:crypto, independently of src/chat/dingtalk.
import { createHmac } from "node:crypto";
import type { TestContext } from "./context";
import type { FakeDingtalk, FakeDingtalkCard } from "./fake-dingtalk";

export const DINGTALK_CLIENT_ID = "dingfundwatchtest";
export const DINGTALK_SECRET = "dingtalk-client-secret-0123456789abcdef";
export const DINGTALK_ROBOT_CODE = "dingfundwatchtest";
export const DINGTALK_TEMPLATE_ID = "fundwatch-card.schema";
export const DINGTALK_CORP_ID = "dingcorp0001";

/** The chat platform variables that point FundWatch at the fake DingTalk. */
export function fakeDingtalkEnv(fake: FakeDingtalk): Record<string, string> {
  return {
    DINGTALK_CLIENT_ID,
    DINGTALK_CLIENT_SECRET: DINGTALK_SECRET,
    DINGTALK_ROBOT_CODE,
    DINGTALK_API_BASE: fake.url,
    DINGTALK_OAPI_BASE: fake.url,
    DINGTALK_CARD_TEMPLATE_ID: DINGTALK_TEMPLATE_ID,
  };
}

const b64hmac = (secret: string, message: string) => createHmac("sha256", secret).update(message).digest("base64");

export interface DingtalkSignOptions {
  /** ms since the epoch; default the test clock. */
  timestamp?: number | string;
  secret?: string;
  /** Replaces the computed signature. */
  sign?: string;
}

export function dingtalkMoves(ctx: TestContext, fake: FakeDingtalk, deliver: () => Promise<unknown>, invite: (member: string) => Promise<{ code: string }>) {
  let msgCounter = 0;
  const post = (body: string, headers: Record<string, string>) => ctx.app.request("/webhooks/dingtalk", { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

  const m = {
    dingtalk: fake,

    /** A robot-message request as DingTalk sends it: `timestamp` and `sign` = Base64(HMAC-SHA256(secret, timestamp + "\n" + secret)). */
    dingtalkRobotRequest(body: Record<string, unknown> | string, opts: DingtalkSignOptions = {}) {
      const timestamp = String(opts.timestamp ?? ctx.deps.now().getTime());
      const secret = opts.secret ?? DINGTALK_SECRET;
      return post(typeof body === "string" ? body : JSON.stringify(body), { timestamp, sign: opts.sign ?? b64hmac(secret, `${timestamp}\n${secret}`) });
    },

    /** The body of a text from `staffId`: privately, or in `group` (an openConversationId) after @-mentioning the bot. */
    dingtalkMessageBody(staffId: string, text: string, opts: { group?: string; msgId?: string } = {}) {
      const msgId = opts.msgId ?? `msg${++msgCounter}`;
      return {
        msgtype: "text",
        text: { content: opts.group ? `@FundWatch ${text}` : text },
        msgId,
        createAt: ctx.deps.now().getTime(),
        conversationType: opts.group ? "2" : "1",
        conversationId: opts.group ?? `cidprivate${staffId}`,
        senderId: `$:LWCP_v1:$${staffId}`,
        senderStaffId: staffId,
        senderNick: staffId,
        chatbotUserId: "$:LWCP_v1:$bot",
        robotCode: DINGTALK_ROBOT_CODE,
        isInAtList: Boolean(opts.group),
        sessionWebhook: "https://oapi.dingtalk.com/robot/sendBySession?session=x",
        sessionWebhookExpiredTime: ctx.deps.now().getTime() + 3600_000,
      };
    },

    /** Sends a text from `staffId` (see dingtalkMessageBody). */
    dingtalkMessage(staffId: string, text: string, opts: { group?: string; msgId?: string } & DingtalkSignOptions = {}) {
      return m.dingtalkRobotRequest(m.dingtalkMessageBody(staffId, text, opts), opts);
    },

    /** A card callback request: `x-ddpaas-signature` = Base64(HMAC-SHA256(apiSecret, timestamp)). */
    dingtalkCardRequest(body: Record<string, unknown> | string, opts: DingtalkSignOptions = {}) {
      const timestamp = String(opts.timestamp ?? ctx.deps.now().getTime());
      return post(typeof body === "string" ? body : JSON.stringify(body), {
        "x-ddpaas-signature-timestamp": timestamp,
        "x-ddpaas-signature": opts.sign ?? b64hmac(opts.secret ?? DINGTALK_SECRET, timestamp),
      });
    },

    /** The actions of a card's buttons (its current version), links left out. */
    dingtalkButtons(card: FakeDingtalkCard): { action: string; id: string; sig: string; text: string }[] {
      return (JSON.parse(card.params.buttons ?? "[]") as { action: string; id: string; sig: string; text: string }[]).filter((b) => b.action);
    },

    /** The callback of `staffId` pressing the card's button for `action` (the button as the card carries it; `override` forges parts). */
    dingtalkPressBody(staffId: string, card: FakeDingtalkCard, action: string, override: { outTrackId?: string; id?: string; sig?: string } = {}) {
      const button = m.dingtalkButtons(card).find((b) => b.action === action);
      if (!button) throw new Error(`the card has no ${action} button: ${m.dingtalkButtons(card).map((b) => b.action).join(", ")}`);
      const params = { action, id: override.id ?? button.id, sig: override.sig ?? button.sig };
      return { type: "actionCallback", outTrackId: override.outTrackId ?? card.outTrackId, corpId: DINGTALK_CORP_ID, userId: staffId, content: JSON.stringify({ cardPrivateData: { actionIds: [`btn_${action}`], params } }) };
    },

    /** Presses a button (see dingtalkPressBody). */
    dingtalkPress(staffId: string, card: FakeDingtalkCard, action: string, opts: { override?: { outTrackId?: string; id?: string; sig?: string } } & DingtalkSignOptions = {}) {
      return m.dingtalkCardRequest(m.dingtalkPressBody(staffId, card, action, opts.override), opts);
    },

    /** Enrols a member (by display name or id) from a DingTalk staff id: `join CODE` in the private chat. */
    async enrolDingtalk(member: string, staffId: string) {
      const { code } = await invite(member);
      const res = await m.dingtalkMessage(staffId, `join ${code}`);
      if (res.status !== 200) throw new Error(`enrolment answered ${res.status}`);
      await deliver();
    },

    /** Types `text` as `staffId` (privately, or in `group`), delivers, and returns what reached that chat and the person privately. */
    async dingtalkTyped(staffId: string, text: string, opts: { group?: string } = {}) {
      const before = fake.messages.length;
      const res = await m.dingtalkMessage(staffId, text, opts);
      if (res.status !== 200) throw new Error(`the message answered ${res.status}`);
      await deliver();
      const sent = fake.messages.slice(before);
      const text_ = (x: { param: Record<string, string> }) => x.param.content ?? x.param.text ?? "";
      return { inChat: opts.group ? sent.filter((x) => x.chat === opts.group).map(text_) : [], privately: sent.filter((x) => x.chat === `user:${staffId}`).map(text_) };
    },
  };
  return m;
}
