// Feishu inbound security: the doc's decryption vector, X-Lark-Signature, timestamp window, challenge, token.
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decryptFeishuEvent, encryptFeishuEvent, FEISHU_MAX_BODY_BYTES, feishuSignature, parseFeishuBody, verifyFeishuRequest } from "../../src/chat/feishu/verify";

const ENCRYPT_KEY = "kudryavtsev-encrypt-key";
const TOKEN = "v-token-123";
const NOW = new Date("2026-12-07T10:00:00Z");
const ts = (d: Date) => String(Math.floor(d.getTime() / 1000));

async function signed(body: string, at = NOW, key = ENCRYPT_KEY) {
  const timestamp = ts(at);
  const nonce = "n0nce";
  return new Headers({ "X-Lark-Request-Timestamp": timestamp, "X-Lark-Request-Nonce": nonce, "X-Lark-Signature": await feishuSignature(timestamp, nonce, key, body) });
}

const press = (token = TOKEN) => JSON.stringify({ schema: "2.0", header: { event_id: "ev-1", event_type: "card.action.trigger", token, create_time: "1", app_id: "cli_x" }, event: { action: { value: { a: "ack", lead: "L-1" } } } });

describe("Feishu request verification", () => {
  it("decrypts the documented example (Encrypt Key \"test key\" → \"hello world\")", async () => {
    expect(await decryptFeishuEvent("test key", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=")).toEqual({ ok: true, value: "hello world" });
  });

  it("signs as hex SHA-256 of timestamp + nonce + encrypt key + raw body (as node:crypto computes it)", async () => {
    const body = '{"encrypt":"abc"}';
    expect(await feishuSignature("1700000000", "nn", ENCRYPT_KEY, body)).toBe(createHash("sha256").update("1700000000" + "nn" + ENCRYPT_KEY + body).digest("hex"));
  });

  it("accepts a correctly signed, fresh request, with Headers or a plain header record", async () => {
    const body = JSON.stringify({ encrypt: await encryptFeishuEvent(ENCRYPT_KEY, press()) });
    const headers = await signed(body);
    expect(await verifyFeishuRequest({ headers, rawBody: body, encryptKey: ENCRYPT_KEY, now: NOW })).toEqual({ ok: true });
    const record = Object.fromEntries([...headers.entries()].map(([k, v]) => [k.toUpperCase(), v]));
    expect(await verifyFeishuRequest({ headers: record, rawBody: new TextEncoder().encode(body), encryptKey: ENCRYPT_KEY, now: NOW })).toEqual({ ok: true });
  });

  it("refuses a forged signature, a changed body, another key and missing headers", async () => {
    const body = press();
    const headers = await signed(body);
    expect(await verifyFeishuRequest({ headers, rawBody: body + " ", encryptKey: ENCRYPT_KEY, now: NOW })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verifyFeishuRequest({ headers: await signed(body, NOW, "wrong-key"), rawBody: body, encryptKey: ENCRYPT_KEY, now: NOW })).toEqual({ ok: false, reason: "bad_signature" });
    const forged = new Headers(headers);
    forged.set("X-Lark-Signature", "0".repeat(64));
    expect(await verifyFeishuRequest({ headers: forged, rawBody: body, encryptKey: ENCRYPT_KEY, now: NOW })).toEqual({ ok: false, reason: "bad_signature" });
    const missing = new Headers(headers);
    missing.delete("X-Lark-Request-Nonce");
    expect(await verifyFeishuRequest({ headers: missing, rawBody: body, encryptKey: ENCRYPT_KEY, now: NOW })).toEqual({ ok: false, reason: "missing_headers" });
    expect(await verifyFeishuRequest({ headers, rawBody: body, encryptKey: "", now: NOW })).toEqual({ ok: false, reason: "no_encrypt_key" });
  });

  it("refuses a replayed request signed more than five minutes ago (or ahead), and accepts one inside the window", async () => {
    const body = press();
    const old = await signed(body, new Date(NOW.getTime() - 6 * 60_000));
    expect(await verifyFeishuRequest({ headers: old, rawBody: body, encryptKey: ENCRYPT_KEY, now: NOW })).toEqual({ ok: false, reason: "stale_timestamp" });
    const ahead = await signed(body, new Date(NOW.getTime() + 6 * 60_000));
    expect(await verifyFeishuRequest({ headers: ahead, rawBody: body, encryptKey: ENCRYPT_KEY, now: NOW })).toEqual({ ok: false, reason: "stale_timestamp" });
    const recent = await signed(body, new Date(NOW.getTime() - 4 * 60_000));
    expect(await verifyFeishuRequest({ headers: recent, rawBody: body, encryptKey: ENCRYPT_KEY, now: NOW })).toEqual({ ok: true });
  });

  it("refuses an oversized body before hashing it", async () => {
    const body = "x".repeat(FEISHU_MAX_BODY_BYTES + 1);
    expect(await verifyFeishuRequest({ headers: await signed("x"), rawBody: body, encryptKey: ENCRYPT_KEY, now: NOW })).toEqual({ ok: false, reason: "too_large" });
    expect(await decryptFeishuEvent(ENCRYPT_KEY, "A".repeat(FEISHU_MAX_BODY_BYTES + 4))).toEqual({ ok: false, reason: "too_large" });
  });

  it("refuses truncated, non-base64 and wrongly keyed ciphertext as typed results", async () => {
    const enc = await encryptFeishuEvent(ENCRYPT_KEY, "hello world, a little longer than one block");
    const bytes = Buffer.from(enc, "base64");
    expect(await decryptFeishuEvent(ENCRYPT_KEY, bytes.subarray(0, 16).toString("base64"))).toEqual({ ok: false, reason: "bad_ciphertext" });
    expect(await decryptFeishuEvent(ENCRYPT_KEY, bytes.subarray(0, bytes.length - 5).toString("base64"))).toEqual({ ok: false, reason: "bad_ciphertext" });
    expect(await decryptFeishuEvent(ENCRYPT_KEY, "%%%")).toEqual({ ok: false, reason: "bad_base64" });
    const wrong = await decryptFeishuEvent("another key", enc);
    expect(wrong.ok).toBe(false);
  });

  it("round-trips any text through encrypt and decrypt", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (text) => {
        expect(await decryptFeishuEvent(ENCRYPT_KEY, await encryptFeishuEvent(ENCRYPT_KEY, text))).toEqual({ ok: true, value: text });
      }),
      { numRuns: 50 },
    );
  });
});

describe("Feishu body parsing", () => {
  it("answers url_verification in plain and encrypted form, only with the right token", async () => {
    const challenge = JSON.stringify({ challenge: "ajls384kdjx98XX", token: TOKEN, type: "url_verification" });
    expect(await parseFeishuBody(challenge, { verificationToken: TOKEN })).toEqual({ ok: true, value: { kind: "challenge", challenge: "ajls384kdjx98XX" } });
    const encrypted = JSON.stringify({ encrypt: await encryptFeishuEvent(ENCRYPT_KEY, challenge) });
    expect(await parseFeishuBody(encrypted, { verificationToken: TOKEN, encryptKey: ENCRYPT_KEY })).toEqual({ ok: true, value: { kind: "challenge", challenge: "ajls384kdjx98XX" } });
    expect(await parseFeishuBody(challenge, { verificationToken: "other" })).toEqual({ ok: false, reason: "bad_token" });
  });

  it("reads schema 2.0 events (header.token) and 1.0 events (token), refusing a wrong token", async () => {
    const r = await parseFeishuBody(JSON.stringify({ encrypt: await encryptFeishuEvent(ENCRYPT_KEY, press()) }), { verificationToken: TOKEN, encryptKey: ENCRYPT_KEY });
    expect(r.ok && { ...r.value, body: undefined }).toEqual({ kind: "event", schema: "2.0", eventType: "card.action.trigger", eventId: "ev-1", body: undefined });
    expect(await parseFeishuBody(press("forged"), { verificationToken: TOKEN })).toEqual({ ok: false, reason: "bad_token" });
    const v1 = JSON.stringify({ uuid: "u-1", token: TOKEN, ts: "1", type: "event_callback", event: { type: "message" } });
    const p1 = await parseFeishuBody(v1, { verificationToken: TOKEN });
    expect(p1.ok && { ...p1.value, body: undefined }).toEqual({ kind: "event", schema: "1.0", eventType: "message", eventId: "u-1", body: undefined });
    expect(await parseFeishuBody(JSON.stringify({ uuid: "u-1", type: "event_callback" }), { verificationToken: TOKEN })).toEqual({ ok: false, reason: "bad_token" });
  });

  it("refuses a plaintext body when an Encrypt Key is set, and an encrypted one when none is", async () => {
    expect(await parseFeishuBody(press(), { verificationToken: TOKEN, encryptKey: ENCRYPT_KEY })).toEqual({ ok: false, reason: "bad_ciphertext" });
    expect(await parseFeishuBody(JSON.stringify({ encrypt: "abc" }), { verificationToken: TOKEN })).toEqual({ ok: false, reason: "no_encrypt_key" });
    expect(await parseFeishuBody("not json", { verificationToken: TOKEN })).toEqual({ ok: false, reason: "bad_json" });
    expect(await parseFeishuBody("[1,2]", { verificationToken: TOKEN })).toEqual({ ok: false, reason: "bad_json" });
  });
});
