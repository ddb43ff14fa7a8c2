// The moves a chat test makes on Feishu: a callback encrypted with the Encrypt Key and signed exactly as
// Feishu does it (node:crypto, independent of src/chat/feishu/verify.ts), a card press, a text message
// (p2p or group), enrolment by `join CODE` in the private chat, and reading the cards the fake received.
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import type { TestContext } from "./context";
import type { FakeFeishu, FeishuMessage } from "./fake-feishu";

export const FEISHU_APP = { appId: "cli_a1b2c3d4e5f60001", appSecret: "feishu-app-secret-0123456789" };
export const FEISHU_VERIFICATION_TOKEN = "feishu-verification-token-01";
export const FEISHU_ENCRYPT_KEY = "feishu-encrypt-key-0123456789";

/** The Feishu variables pointing at the fake. */
export function feishuEnv(fake: FakeFeishu): Record<string, string> {
  return {
    FEISHU_APP_ID: FEISHU_APP.appId,
    FEISHU_APP_SECRET: FEISHU_APP.appSecret,
    FEISHU_VERIFICATION_TOKEN,
    FEISHU_ENCRYPT_KEY,
    FEISHU_API_BASE: fake.url,
  };
}

/** base64(iv + AES-256-CBC(PKCS#7)) with key = SHA-256(Encrypt Key), as Feishu encrypts callbacks. */
export function encryptAsFeishu(plaintext: string, encryptKey = FEISHU_ENCRYPT_KEY): string {
  const key = createHash("sha256").update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  return Buffer.concat([iv, cipher.update(plaintext, "utf8"), cipher.final()]).toString("base64");
}

export interface FeishuCallbackOptions {
  /** Seconds since the epoch; default the test clock. */
  timestamp?: number;
  nonce?: string;
  /** Sign with a different key (a forgery). */
  signWith?: string;
  /** Leave the signature headers out. */
  unsigned?: boolean;
  /** Send the JSON in clear instead of encrypted. */
  plain?: boolean;
}

let eventCounter = 0;
/** A fresh event id in Feishu's shape. */
export const newFeishuEventId = () => `5e3702a84e847582be8db7fb73${String(++eventCounter).padStart(6, "0")}`;

export interface FeishuPressOptions {
  /** The card's chat (context.open_chat_id); default none. */
  chatId?: string;
  messageId?: string;
  /** Reuse an event id (a redelivery). */
  eventId?: string;
  token?: string;
}

export function feishuMoves(ctx: TestContext, fake: FakeFeishu, helpers: { invite(member: string): Promise<{ code: string }>; deliver(): Promise<unknown> }) {
  const m = {
    /** Posts `payload` to /webhooks/feishu encrypted and signed as Feishu does (see FeishuCallbackOptions). */
    feishuCallback(payload: Record<string, unknown>, opts: FeishuCallbackOptions = {}) {
      const body = opts.plain ? JSON.stringify(payload) : JSON.stringify({ encrypt: encryptAsFeishu(JSON.stringify(payload)) });
      const timestamp = String(opts.timestamp ?? Math.floor(ctx.deps.now().getTime() / 1000));
      const nonce = opts.nonce ?? randomBytes(8).toString("hex");
      const signature = createHash("sha256").update(timestamp + nonce + (opts.signWith ?? FEISHU_ENCRYPT_KEY) + body).digest("hex");
      return ctx.app.request("/webhooks/feishu", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(opts.unsigned ? {} : { "x-lark-request-timestamp": timestamp, "x-lark-request-nonce": nonce, "x-lark-signature": signature }),
        },
        body,
      });
    },

    /** A schema 2.0 event envelope. */
    feishuEvent(eventType: string, event: Record<string, unknown>, opts: { eventId?: string; token?: string } = {}) {
      return {
        schema: "2.0",
        header: { event_id: opts.eventId ?? newFeishuEventId(), token: opts.token ?? FEISHU_VERIFICATION_TOKEN, create_time: String(ctx.deps.now().getTime()), event_type: eventType, tenant_key: "tk", app_id: FEISHU_APP.appId },
        event,
      };
    },

    /** card.action.trigger for a button carrying { a: action, id } pressed by `openId`. */
    pressFeishuEvent(openId: string, action: string, id: string, opts: FeishuPressOptions = {}) {
      return m.feishuEvent(
        "card.action.trigger",
        {
          operator: { tenant_key: "tk", open_id: openId, union_id: `on_${openId}` },
          token: "c-card-token",
          action: { value: { a: action, id }, tag: "button" },
          host: "im_message",
          context: { ...(opts.messageId ? { open_message_id: opts.messageId } : {}), ...(opts.chatId ? { open_chat_id: opts.chatId } : {}) },
        },
        opts,
      );
    },

    /** Presses a button; returns the response (its JSON has the toast). */
    pressFeishu(openId: string, action: string, id: string, opts: FeishuPressOptions & FeishuCallbackOptions = {}) {
      return m.feishuCallback(m.pressFeishuEvent(openId, action, id, opts), opts);
    },

    /** im.message.receive_v1 of a text from `openId`: in their private chat unless `chatId` names a group. */
    messageFeishuEvent(openId: string, text: string, opts: { chatId?: string; eventId?: string; mention?: boolean } = {}) {
      const p2p = opts.chatId === undefined;
      const messageId = `om_in_${randomBytes(6).toString("hex")}`;
      fake.noteIncoming(messageId, p2p ? `user:${openId}` : opts.chatId!);
      return m.feishuEvent(
        "im.message.receive_v1",
        {
          sender: { sender_id: { open_id: openId, union_id: `on_${openId}` }, sender_type: "user", tenant_key: "tk" },
          message: {
            message_id: messageId,
            create_time: String(ctx.deps.now().getTime()),
            chat_id: opts.chatId ?? `oc_p2p_${openId}`,
            chat_type: p2p ? "p2p" : "group",
            message_type: "text",
            content: JSON.stringify({ text: opts.mention ? `@_user_1 ${text}` : text }),
            ...(opts.mention ? { mentions: [{ key: "@_user_1", id: { open_id: "ou_bot" }, name: "FundWatch", tenant_key: "tk" }] } : {}),
          },
        },
        opts,
      );
    },

    /** Sends a text (see messageFeishuEvent). */
    messageFeishu(openId: string, text: string, opts: { chatId?: string; eventId?: string; mention?: boolean } & FeishuCallbackOptions = {}) {
      return m.feishuCallback(m.messageFeishuEvent(openId, text, opts), opts);
    },

    /** Enrols a member (by display name or id) from a Feishu open_id: `join CODE` in the private chat. */
    async enrolFeishu(member: string, openId: string) {
      const { code } = await helpers.invite(member);
      const res = await m.messageFeishu(openId, `join ${code}`);
      if (res.status !== 200) throw new Error(`enrolment answered ${res.status}`);
      await helpers.deliver();
    },

    /** The callback buttons of a Feishu card: label, action, id (url buttons: their url). */
    feishuButtons(message: FeishuMessage | undefined): { label: string; a?: string; id?: string; url?: string }[] {
      const elements: any[] = message?.content?.body?.elements ?? [];
      return elements
        .filter((e) => e.tag === "column_set")
        .flatMap((e) => e.columns.flatMap((c: any) => c.elements))
        .filter((b: any) => b.tag === "button")
        .map((b: any) => {
          const behavior = b.behaviors[0];
          return behavior.type === "open_url" ? { label: b.text.content, url: behavior.default_url } : { label: b.text.content, a: behavior.value.a, id: behavior.value.id };
        });
    },

    /** Everything a Feishu card shows, as one string (title, fields, body, footer, button labels). */
    feishuCardText(message: FeishuMessage | undefined): string {
      const c = message?.content;
      if (!c) return "";
      if (c.text !== undefined) return String(c.text);
      const texts: string[] = [c.header?.title?.content ?? ""];
      for (const e of c.body?.elements ?? []) {
        if (e.tag === "div") texts.push(e.text.content);
        if (e.tag === "column_set") for (const col of e.columns) for (const b of col.elements) texts.push(b.text.content);
      }
      return texts.join("\n");
    },
  };
  return m;
}
