// `npm run admin -- dingtalk register-callback <url>` against a fake DingTalk, through test/support/admin-cli.ts (in this process; one call a real process): the card
// callback URL is registered under FundWatch's route key with the Client Secret as its apiSecret; a bad URL
// or missing credentials are refused in words without calling DingTalk.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyMaterial, type KeyMaterial } from "../../src/security/keys";
import { runAdmin } from "../support/admin-cli";
import { createTestContext, type TestContext } from "../support/context";
import { DINGTALK_SECRET, fakeDingtalkEnv } from "../support/dingtalk-moves";
import { FakeDingtalk } from "../support/fake-dingtalk";

let ctx: TestContext;
let keys: KeyMaterial;
let fake: FakeDingtalk;

beforeAll(async () => {
  keys = await generateKeyMaterial();
  ctx = await createTestContext({}, { keyMaterial: keys });
  fake = await new FakeDingtalk().start();
}, 120_000);
afterAll(async () => {
  await ctx?.close();
  await fake?.stop();
});

describe("admin dingtalk register-callback", () => {
  it("registers the webhook URL with the Client Secret as apiSecret", async () => {
    // A real process (the refusals below are in-process: test/support/admin-cli.ts).
    const r = await runAdmin(ctx, keys, ["dingtalk", "register-callback", "https://fundwatch.example.gov.cn/webhooks/dingtalk"], fakeDingtalkEnv(fake), { process: true });
    expect(r.code, r.out).toBe(0);
    expect(r.stdout).toContain("https://fundwatch.example.gov.cn/webhooks/dingtalk");
    expect(fake.callsTo("card/callbacks/register").map((c) => c.body)).toEqual([{ callbackRouteKey: "fundwatch", callbackUrl: "https://fundwatch.example.gov.cn/webhooks/dingtalk", apiSecret: DINGTALK_SECRET, forceUpdate: true }]);
  }, 60_000);

  it("refuses a bad URL and missing credentials without calling DingTalk", async () => {
    const before = fake.calls.length;
    const bad = await runAdmin(ctx, keys, ["dingtalk", "register-callback", "not a url"], fakeDingtalkEnv(fake));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("usage");
    const none = await runAdmin(ctx, keys, ["dingtalk", "register-callback", "https://fundwatch.example.gov.cn/webhooks/dingtalk"]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain("DINGTALK_CLIENT_SECRET");
    expect(fake.calls.length).toBe(before);
  }, 60_000);
});
