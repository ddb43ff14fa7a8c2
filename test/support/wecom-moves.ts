// What a WeCom member does, sent to /webhooks/wecom exactly as WeCom sends it: the XML encrypted with the
// EncodingAESKey (src/chat/wecom/crypto.ts, checked against WeCom's own sample), signed with msg_signature,
// wrapped in the envelope; the URL check GET; a text to the app; a press on a template card; enrolment.
import { encryptWecom, wecomSignature } from "../../src/chat/wecom/crypto";
import type { TestContext } from "./context";
import type { FakeWecom } from "./fake-wecom";

export const WECOM_TOKEN = "fwWecomToken";
export const WECOM_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
export const WECOM_AGENT_ID = "1000002";

/** The WeCom variables pointing at the fake. */
export function wecomEnv(fake: FakeWecom): Record<string, string> {
  return {
    WECOM_CORP_ID: fake.corpId,
    WECOM_AGENT_ID: WECOM_AGENT_ID,
    WECOM_SECRET: fake.secret,
    WECOM_TOKEN: WECOM_TOKEN,
    WECOM_ENCODING_AES_KEY: WECOM_AES_KEY,
    WECOM_API_BASE: fake.url,
  };
}

const cdata = (s: string) => `<![CDATA[${s.replace(/]]>/g, "]]]]><![CDATA[>")}]]>`;

export interface CallbackOptions {
  /** Encrypt for another corp (a forged or misdirected callback). */
  corpId?: string;
  /** Sign with another token (a forger without the app's token). */
  token?: string;
  timestamp?: number;
  nonce?: string;
}

interface MoveDeps {
  ctx: TestContext;
  fake: FakeWecom;
  invite(member: string): Promise<{ code: string }>;
  deliver(): Promise<number>;
}

let nonceNo = 0;
let msgNo = 9_000_000;

export function wecomMoves({ ctx, fake, invite, deliver }: MoveDeps) {
  const now = () => Math.floor(ctx.deps.now().getTime() / 1000);
  const m = {
    /** The query string and body WeCom POSTs for decrypted `xml`: encrypted, signed, in the envelope. */
    async wecomSigned(xml: string, opts: CallbackOptions = {}) {
      const enc = encryptWecom({ encodingAesKey: WECOM_AES_KEY, corpId: opts.corpId ?? fake.corpId }, xml);
      if (!enc.ok) throw new Error(enc.reason);
      const timestamp = String(opts.timestamp ?? now());
      const nonce = opts.nonce ?? `n${++nonceNo}`;
      const signature = await wecomSignature(opts.token ?? WECOM_TOKEN, timestamp, nonce, enc.value);
      const body = `<xml><ToUserName>${cdata(fake.corpId)}</ToUserName><AgentID>${cdata(WECOM_AGENT_ID)}</AgentID><Encrypt>${cdata(enc.value)}</Encrypt></xml>`;
      return { query: `msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`, body };
    },

    /** POSTs decrypted `xml` to /webhooks/wecom as WeCom does (see wecomSigned). */
    async wecomCallback(xml: string, opts: CallbackOptions = {}) {
      const { query, body } = await m.wecomSigned(xml, opts);
      return ctx.app.request(`/webhooks/wecom?${query}`, { method: "POST", headers: { "content-type": "text/xml" }, body });
    },

    /** The URL check WeCom makes when the callback URL is saved. */
    async wecomUrlCheck(echo: string, opts: CallbackOptions = {}) {
      const enc = encryptWecom({ encodingAesKey: WECOM_AES_KEY, corpId: opts.corpId ?? fake.corpId }, echo);
      if (!enc.ok) throw new Error(enc.reason);
      const timestamp = String(opts.timestamp ?? now());
      const nonce = opts.nonce ?? `n${++nonceNo}`;
      const signature = await wecomSignature(opts.token ?? WECOM_TOKEN, timestamp, nonce, enc.value);
      return ctx.app.request(`/webhooks/wecom?msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&echostr=${encodeURIComponent(enc.value)}`);
    },

    /** The decrypted XML of a member's text to the app (`msgId` given: the same message again). */
    wecomTextXml(user: string, text: string, msgId = ++msgNo) {
      return `<xml><ToUserName>${cdata(fake.corpId)}</ToUserName><FromUserName>${cdata(user)}</FromUserName><CreateTime>${now()}</CreateTime><MsgType>${cdata("text")}</MsgType><Content>${cdata(text)}</Content><MsgId>${msgId}</MsgId><AgentID>${WECOM_AGENT_ID}</AgentID></xml>`;
    },

    /** The decrypted XML of a press on a template card's button `key`, with a fresh one-time response code. */
    wecomPressXml(user: string, taskId: string, key: string, opts: { createTime?: number; responseCode?: string } = {}) {
      return `<xml><ToUserName>${cdata(fake.corpId)}</ToUserName><FromUserName>${cdata(user)}</FromUserName><CreateTime>${opts.createTime ?? now()}</CreateTime><MsgType>${cdata("event")}</MsgType><Event>${cdata("template_card_event")}</Event><EventKey>${cdata(key)}</EventKey><TaskId>${cdata(taskId)}</TaskId><CardType>${cdata("button_interaction")}</CardType><ResponseCode>${cdata(opts.responseCode ?? fake.pressCode())}</ResponseCode><AgentID>${WECOM_AGENT_ID}</AgentID></xml>`;
    },

    /** A member types `text` to the app; requires the 200. */
    async wecomText(user: string, text: string) {
      const res = await m.wecomCallback(m.wecomTextXml(user, text));
      if (res.status !== 200) throw new Error(`the text answered ${res.status}`);
      return res;
    },

    /** A member presses `key` on the card `taskId`, requires the 200, and delivers until idle. */
    async wecomPress(user: string, taskId: string, key: string) {
      const res = await m.wecomCallback(m.wecomPressXml(user, taskId, key));
      if (res.status !== 200) throw new Error(`the press answered ${res.status}`);
      await deliver();
      return res;
    },

    /** Enrols a member (by display name or id) as WeCom user `user`: `join CODE` to the app. */
    async enrolWecom(member: string, user: string) {
      const { code } = await invite(member);
      await m.wecomText(user, `join ${code}`);
      await deliver();
    },
  };
  return m;
}
