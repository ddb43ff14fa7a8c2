// POST /webhooks/feishu refuses what it cannot trust without reading it and never answers a 5xx for bad
// input: garbage, oversized or deeply nested bodies, a signed body that is not encrypted, an event in the
// old schema; it is a 404 until Feishu is configured; events it does not handle are acknowledged empty.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChatRuntime } from "../../src/chat/runtime";
import { createChatHarness, type ChatHarness } from "../support/chat-harness";
import { createTestContext } from "../support/context";
import { FEISHU_VERIFICATION_TOKEN } from "../support/feishu-moves";

let h: ChatHarness;
beforeAll(async () => {
  h = await createChatHarness({ org: null });
});
afterAll(() => h.close());

const post = (body: string, headers: Record<string, string> = {}) => h.ctx.app.request("/webhooks/feishu", { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

describe("the Feishu webhook with bad input", () => {
  it("answers 400 or 401, never 5xx, and logs no body", async () => {
    const signedHeaders = { "x-lark-request-timestamp": String(Math.floor(h.ctx.deps.now().getTime() / 1000)), "x-lark-request-nonce": "n", "x-lark-signature": "0".repeat(64) };
    const answers = await Promise.all([
      post("not json"),
      post("{}"),
      post(JSON.stringify({ encrypt: "!!!not base64!!!" })),
      post(JSON.stringify({ encrypt: "AAAA" })),
      post("[".repeat(10_000) + "]".repeat(10_000)),
      post("x".repeat(300 * 1024)),
      post(JSON.stringify({ encrypt: "AAAA" }), signedHeaders),
      post(JSON.stringify({ type: "url_verification", token: FEISHU_VERIFICATION_TOKEN, challenge: "c" })),
    ]);
    for (const res of answers) expect([400, 401, 413]).toContain(res.status);
    expect(JSON.stringify(h.ctx.logs)).not.toContain("not base64");
  });

  it("refuses a signed body in clear while an Encrypt Key is set", async () => {
    const res = await h.feishuCallback(h.messageFeishuEvent("ou_someone", "mine"), { plain: true });
    expect(res.status).toBe(401);
  });

  it("refuses a deeply nested body that is signed", async () => {
    const event = h.messageFeishuEvent("ou_someone", "mine") as Record<string, any>;
    event.event.extra = JSON.parse("[".repeat(1000) + "]".repeat(1000));
    // Encrypted and signed: the outer body is shallow; the decrypted one is only read where the decoder looks.
    const res = await h.feishuCallback(event);
    expect(res.status).toBeLessThan(500);
  });

  it("acknowledges an event it does not handle with an empty body", async () => {
    const res = await h.feishuCallback(h.feishuEvent("im.chat.member.bot.added_v1", { chat_id: "oc_x" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
  });

  it("refuses the 1.0 schema for events", async () => {
    const res = await h.feishuCallback({ uuid: "u1", token: FEISHU_VERIFICATION_TOKEN, ts: "1", type: "event_callback", event: { type: "message" } });
    expect(res.status).toBe(400);
  });

  it("is a 404 while Feishu is not configured", async () => {
    const ctx = await createTestContext({ PUBLIC_BASE_URL: "https://fundwatch.example.gov.cn" });
    try {
      ctx.deps.chat = createChatRuntime(ctx.deps, { consoleWrite: () => undefined });
      expect(ctx.deps.chat.adapters.feishu?.platform).toBe("feishu");
      const res = await ctx.app.request("/webhooks/feishu", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(res.status).toBe(404);
    } finally {
      await ctx.close();
    }
  });
});
