// The card-callback checks on their own: the x-ddpaas-signature header pair (cross-checked against
// node:crypto), and our signed outTrackIds and buttons (a card we did not send, another chat, another
// button or a changed id are refused).
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyDingtalkCardCallback } from "../../src/chat/dingtalk/verify";
import { buttonSig, mintTrackId, verifyButtonSig, verifyTrackId } from "../../src/chat/dingtalk/track";

const SECRET = "card-api-secret-0123456789";
const now = new Date("2026-11-24T02:00:00Z");
const sign = (ts: string, secret = SECRET) => createHmac("sha256", secret).update(ts).digest("base64");

describe("verifyDingtalkCardCallback", () => {
  it("accepts DingTalk's signature of a millisecond or second timestamp within the hour", async () => {
    const ms = String(now.getTime() - 5_000);
    expect(await verifyDingtalkCardCallback({ headers: new Headers({ "x-ddpaas-signature-timestamp": ms, "x-ddpaas-signature": sign(ms) }), apiSecret: SECRET, now })).toEqual({ ok: true, signedAtMs: Number(ms) });
    const s = String(Math.floor(now.getTime() / 1000));
    expect((await verifyDingtalkCardCallback({ headers: { "X-Ddpaas-Signature-Timestamp": s, "X-Ddpaas-Signature": sign(s) }, apiSecret: SECRET, now })).ok).toBe(true);
  });

  it("refuses a missing, wrong, other-secret or stale signature", async () => {
    const ts = String(now.getTime());
    const check = (headers: Record<string, string>, at = now) => verifyDingtalkCardCallback({ headers, apiSecret: SECRET, now: at });
    expect(await check({ "x-ddpaas-signature-timestamp": ts })).toEqual({ ok: false, reason: "missing_headers" });
    expect(await check({ "x-ddpaas-signature-timestamp": ts, "x-ddpaas-signature": sign(ts, "another-secret-entirely") })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await check({ "x-ddpaas-signature-timestamp": ts, "x-ddpaas-signature": sign(String(now.getTime() + 1)) })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await check({ "x-ddpaas-signature-timestamp": ts, "x-ddpaas-signature": sign(ts) }, new Date(now.getTime() + 3_600_001))).toEqual({ ok: false, reason: "stale_timestamp" });
    expect(await check({ "x-ddpaas-signature-timestamp": "12ab", "x-ddpaas-signature": sign("12ab") })).toEqual({ ok: false, reason: "stale_timestamp" });
    expect(await verifyDingtalkCardCallback({ headers: { "x-ddpaas-signature-timestamp": ts, "x-ddpaas-signature": sign(ts) }, apiSecret: "", now })).toEqual({ ok: false, reason: "no_secret" });
  });
});

describe("outTrackIds and button signatures", () => {
  it("name the chat the card went to, and nothing else passes", async () => {
    const chat = "cidAbc+/def==";
    const id = await mintTrackId(SECRET, chat);
    expect(id.length).toBeLessThan(128);
    expect(await verifyTrackId(SECRET, id)).toBe(chat);
    expect(await verifyTrackId("another-secret-entirely", id)).toBeNull();
    const [p, , nonce, mac] = id.split(".");
    const otherChat = Buffer.from("cidOther==").toString("base64url");
    expect(await verifyTrackId(SECRET, [p, otherChat, nonce, mac].join("."))).toBeNull();
    expect(await verifyTrackId(SECRET, "card_1764000000_abc")).toBeNull();
    expect(await verifyTrackId(SECRET, `${id}.x`)).toBeNull();
  });

  it("bind a button to its card, action and id", async () => {
    const card = await mintTrackId(SECRET, "cidAbc==");
    const other = await mintTrackId(SECRET, "cidAbc==");
    const sig = await buttonSig(SECRET, card, "ack", "lead1");
    expect(await verifyButtonSig(SECRET, card, "ack", "lead1", sig)).toBe(true);
    expect(await verifyButtonSig(SECRET, other, "ack", "lead1", sig)).toBe(false);
    expect(await verifyButtonSig(SECRET, card, "accept", "lead1", sig)).toBe(false);
    expect(await verifyButtonSig(SECRET, card, "ack", "lead2", sig)).toBe(false);
  });
});
