// `npm run admin -- login <member-id>` through test/support/admin-cli.ts (in this process; one call a real process): its last line is an absolute sign-in link
// (PUBLIC_BASE_URL, or the local address) that signs the member in through the real sign-in pages;
// an unknown or deactivated member is refused in words on stderr with a non-zero exit and no link.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, members } from "../../src/db/schema";
import { generateKeyMaterial, type KeyMaterial } from "../../src/security/keys";
import { deactivateMember } from "../../src/services/org/org";
import { runAdmin } from "../support/admin-cli";
import { createTestContext, type TestContext } from "../support/context";
import { importExampleOrg } from "../support/round-trips";
import { signInWithLink } from "../support/staff-session";

let ctx: TestContext;
let keys: KeyMaterial;
const idOf = async (name: string) => (await ctx.db.query.members.findFirst({ where: eq(members.displayName, name) }))!.id;
const lastLine = (text: string) => text.trimEnd().split("\n").at(-1) ?? "";

beforeAll(async () => {
  keys = await generateKeyMaterial();
  ctx = await createTestContext({ PUBLIC_BASE_URL: "https://fundwatch.example.gov.cn" }, { keyMaterial: keys });
  await importExampleOrg(ctx.deps);
  // The CLI runs on the real clock: the app follows it, so the link is within its 10 minutes.
  ctx.setNow(new Date());
});
afterAll(async () => ctx?.close());

describe("npm run admin -- login", () => {
  it("prints the member's link last; the link signs them in once", { timeout: 120_000 }, async () => {
    const id = await idOf("陈静");
    // A real process (the other runs of this file are in-process: test/support/admin-cli.ts).
    const run = await runAdmin(ctx, keys, ["login", id], { PUBLIC_BASE_URL: "https://fundwatch.example.gov.cn" }, { process: true });
    expect(run.code).toBe(0);
    const link = lastLine(run.stdout);
    expect(link).toMatch(/^https:\/\/fundwatch\.example\.gov\.cn\/staff\/signin\?t=[A-Za-z0-9_-]{43}$/);
    // Named by name and role before the link, never by id alone.
    expect(run.stdout).toContain("陈静 (coordinator)");
    ctx.setNow(new Date());
    const browser = await signInWithLink(ctx, link);
    const page = await browser.get("/staff");
    expect(page.status).toBe(200);
    expect(page.html).toContain('data-testid="signed-in-member"');
    expect(page.html).toContain("陈静");
    // Issued by the operator's CLI, logged as such.
    const issued = await ctx.db.select().from(events).where(eq(events.action, "staff.sign_in_link_issued"));
    expect(issued.map((e) => [e.entityId, e.platform, e.actorType, JSON.parse(e.data!).via])).toEqual([[id, "cli", "system", "cli"]]);
    // Spent: the same link is refused now.
    expect((await ctx.app.request(`/staff/signin?t=${new URL(link).searchParams.get("t")}`)).status).toBe(410);
  });

  it("uses the local address without PUBLIC_BASE_URL", { timeout: 120_000 }, async () => {
    const run = await runAdmin(ctx, keys, ["login", await idOf("张明")], { PUBLIC_BASE_URL: "", PORT: "8787" });
    expect(run.code).toBe(0);
    expect(lastLine(run.stdout)).toMatch(/^http:\/\/localhost:8787\/staff\/signin\?t=[A-Za-z0-9_-]{43}$/);
  });

  it("refuses an unknown member, a deactivated one and a missing id on stderr, without a link", { timeout: 180_000 }, async () => {
    const unknown = await runAdmin(ctx, keys, ["login", "mem_NOSUCHMEMBER000"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("no member mem_NOSUCHMEMBER000");
    expect(unknown.out).not.toContain("/staff/signin");

    const gone = await idOf("王强");
    await deactivateMember(ctx.deps, { memberId: gone, actor: { type: "system", platform: "cli" } });
    const deactivated = await runAdmin(ctx, keys, ["login", gone]);
    expect(deactivated.code).not.toBe(0);
    expect(deactivated.stderr).toContain("王强 is deactivated");
    expect(deactivated.out).not.toContain("/staff/signin");

    const missing = await runAdmin(ctx, keys, ["login"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("login <member-id>");
    // Nothing was issued for any of them.
    const issued = await ctx.db.select().from(events).where(eq(events.action, "staff.sign_in_link_issued"));
    expect(issued.map((e) => e.entityId)).not.toContain(gone);
  });

  it("lists the command in its help", { timeout: 60_000 }, async () => {
    const help = await runAdmin(ctx, keys, ["help"]);
    expect(help.stdout).toMatch(/login <member-id> +a sign-in link to the staff workspace/);
  });
});
