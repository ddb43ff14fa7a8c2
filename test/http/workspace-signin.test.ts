// Signing in to the staff workspace without passwords: a one-time link (10 minutes) opens a server-side
// session (30 minutes idle, 8 hours at most) in an HttpOnly, SameSite=Strict cookie (`__Host-`, Secure,
// Path=/ outside development); sign-out and deactivation end it; every sign-in, sign-out and page opened
// is an event, and no token reaches the log or the events.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, members, staffSessions, staffSignInLinks } from "../../src/db/schema";
import { deactivateMember } from "../../src/services/org/org";
import { issueSignInLink } from "../../src/services/workspace/sign-in-links";
import { createTestContext, type TestContext } from "../support/context";
import { importExampleOrg } from "../support/round-trips";
import { SAME_ORIGIN, signInAs, signInWithLink, tokenOfLink } from "../support/staff-session";

let ctx: TestContext;
const system = { type: "system" as const, platform: "cli" as const };
const idOf = async (name: string) => (await ctx.db.query.members.findFirst({ where: eq(members.displayName, name) }))!.id;
const issue = async (name: string) => {
  const link = await issueSignInLink(ctx.deps, { memberId: await idOf(name), via: "cli", actor: system });
  if (link.status !== "issued") throw new Error("not issued");
  return link;
};
const redeem = (token: string, headers: Record<string, string> = {}) =>
  ctx.app.request("/staff/signin", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...SAME_ORIGIN, ...headers }, body: new URLSearchParams({ t: token }).toString(), redirect: "manual" });
const minutes = (n: number) => n * 60_000;
const advance = (ms: number) => ctx.setNow(new Date(ctx.deps.now().getTime() + ms));

beforeAll(async () => {
  ctx = await createTestContext({ PUBLIC_BASE_URL: "https://fundwatch.example.gov.cn" });
  await importExampleOrg(ctx.deps);
});
afterAll(() => ctx?.close());

describe("a sign-in link", () => {
  it("has the public address, and its GET only confirms: the form's POST signs in and redirects to /staff", async () => {
    const link = await issue("陈静");
    expect(link.url).toMatch(/^https:\/\/fundwatch\.example\.gov\.cn\/staff\/signin\?t=[A-Za-z0-9_-]{43}$/);
    const token = tokenOfLink(link.url);
    // A link preview fetching the page twice spends nothing.
    for (let i = 0; i < 2; i++) {
      const page = await ctx.app.request(`/staff/signin?t=${token}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('action="/staff/signin"');
      expect(html).toContain("陈静");
    }
    const res = await redeem(token);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/staff");
    const cookie = res.headers.getSetCookie().find((l) => l.startsWith("__Host-fw_staff="))!;
    const page = await ctx.app.request("/staff", { headers: { cookie: cookie.split(";")[0]! } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-testid="signed-in-member"');
    expect(html).toContain("陈静");
    expect(html).toContain("协调员");
    expect(html).toContain("省基金监管处协调组");
  });

  it("works once: a second use answers 410, by GET and by POST", async () => {
    const link = await issue("李娜");
    const token = tokenOfLink(link.url);
    expect((await redeem(token)).status).toBe(303);
    const again = await redeem(token);
    expect(again.status).toBe(410);
    expect(again.headers.getSetCookie()).toEqual([]);
    expect(await again.text()).toContain('data-testid="link-refused"');
    expect((await ctx.app.request(`/staff/signin?t=${token}`)).status).toBe(410);
    const refused = await ctx.db.select().from(events).where(and(eq(events.action, "staff.sign_in_refused"), eq(events.entityId, await idOf("李娜"))));
    expect(refused.map((e) => JSON.parse(e.data!).reason)).toEqual(["used"]);
  });

  it("lapses after 10 minutes", async () => {
    const fresh = await issue("张明");
    advance(minutes(9) + 59_000);
    expect((await ctx.app.request(`/staff/signin?t=${tokenOfLink(fresh.url)}`)).status).toBe(200);
    const stale = await issue("张明");
    advance(minutes(10));
    expect((await ctx.app.request(`/staff/signin?t=${tokenOfLink(stale.url)}`)).status).toBe(410);
    expect((await redeem(tokenOfLink(stale.url))).status).toBe(410);
  });
});
