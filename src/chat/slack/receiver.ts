// The way in for Slack requests: the signature check (HMAC-SHA256 of v0:timestamp:body, timestamp within
// five minutes either way), the body parser, and Bolt's receiver that answers as soon as Bolt acknowledges.
import { parseBoundedJson } from "../../core/json-depth";
import type { App, Receiver, ReceiverEvent } from "@slack/bolt";
import { constantTimeEqual, utf8 } from "../../security/encoding";

const MAX_SKEW_SECONDS = 300;
const ACK_DEADLINE_MS = 2500;

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}


/** Checks Slack's request signature; rejects stale or future timestamps (replays). */
export async function verifySlackSignature(input: { signingSecret: string; timestamp: string | undefined; signature: string | undefined; body: string; nowSeconds: number }): Promise<boolean> {
  const ts = Number(input.timestamp);
  if (!input.timestamp || !input.signature || !Number.isInteger(ts)) return false;
  if (Math.abs(input.nowSeconds - ts) > MAX_SKEW_SECONDS) return false;
  const expected = `v0=${await hmacHex(input.signingSecret, `v0:${input.timestamp}:${input.body}`)}`;
  return constantTimeEqual(expected, input.signature);
}

export class HonoReceiver implements Receiver {
  private app: App | undefined;
  init(app: App) {
    this.app = app;
  }
  start() {
    return Promise.resolve();
  }
  stop() {
    return Promise.resolve();
  }

  /** Hands a verified request to Bolt; answers as soon as Bolt acknowledges (or after 2.5 s). */
  async dispatch(body: Record<string, unknown>, retryNum: number | undefined, waitUntil: (p: Promise<unknown>) => void): Promise<unknown> {
    let acked: (value: unknown) => void = () => undefined;
    const ack = new Promise<unknown>((resolve) => (acked = resolve));
    const event: ReceiverEvent = {
      body,
      ...(retryNum !== undefined ? { retryNum } : {}),
      ack: async (response?: unknown) => acked(response ?? ""),
    };
    const processing = this.app!.processEvent(event).catch((err: unknown) => {
      acked("");
      throw err;
    });
    waitUntil(processing);
    return Promise.race([ack, new Promise((resolve) => setTimeout(() => resolve(""), ACK_DEADLINE_MS))]);
  }
}

/** The request's JSON (events) or form (commands; interactivity's `payload=`), depth-bounded before parsing. */
export function parseBody(contentType: string, raw: string): Record<string, unknown> | null {
  const json = (text: string) => {
    const parsed = parseBoundedJson(text);
    return parsed.ok && parsed.value !== null && typeof parsed.value === "object" ? (parsed.value as Record<string, unknown>) : null;
  };
  try {
    if (contentType.includes("application/json")) return json(raw);
    const form = Object.fromEntries(new URLSearchParams(raw));
    if (typeof form.payload === "string") return json(form.payload);
    return form;
  } catch {
    return null;
  }
}
