// The two web rooms: a staff page (the case page from a chat link) carries the authority's name from
// config and a staff frame, never the citizen menu ("report fraud", hotline); a public page still does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leads, members } from "../../src/db/schema";
import { caseLinkToken } from "../../src/services/chat-actions";
import { importOrganisation, orgFileSchema } from "../../src/services/org/org";
import { createTestContext, type TestContext } from "../support/context";
import { validReport } from "../support/fixtures";

const AUTHORITY_ZH = "青山市医疗保障局";
const AUTHORITY_EN = "Qingshan Healthcare Security Administration";
let ctx: TestContext;
let leadId: string;

beforeAll(async () => {
  ctx = await createTestContext({ AUTHORITY_NAME_ZH: AUTHORITY_ZH, AUTHORITY_NAME_EN: AUTHORITY_EN, HOTLINE: "0571-12393" });
  const org = orgFileSchema.parse({
    teams: [
      { name: "朝阳检查组", regionCode: "110105", platform: "console", chatId: "cy" },
      { name: "协调组", regionCode: "000000", platform: "console", chatId: "coord", coordinators: true },
    ],
    members: [
      { name: "王检查", role: "team_lead", team: "朝阳检查组", locale: "zh-CN" },
      { name: "陈协调", role: "coordinator", team: "协调组" },
    ],
  });
  await importOrganisation(ctx.deps, org, { type: "system", platform: "cli" });
  const res = await ctx.app.request("/api/v1/reports", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(validReport()) });
  expect(res.status).toBe(201);
  leadId = (await ctx.db.select().from(leads))[0]!.id;
});
afterAll(() => ctx.close());

/** The <header> of a page: where the navigation lives. */
const headerOf = (html: string) => html.slice(html.indexOf("<header"), html.indexOf("</header>"));
const footerOf = (html: string) => html.slice(html.indexOf("<footer"), html.indexOf("</footer>"));

describe("staff and public layouts", () => {
  it("a case page names the authority from config and carries no citizen menu, hotline or report link", async () => {
    const member = (await ctx.db.select().from(members)).find((m) => m.displayName === "王检查")!;
    const t = await caseLinkToken(ctx.deps, leadId, member.id, ctx.deps.now().getTime() + 600_000);
    const res = await ctx.app.request(`/cases/${leadId}?t=${encodeURIComponent(t)}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain(`data-testid="authority">${AUTHORITY_ZH}<`);
    expect(html).toContain(`· ${AUTHORITY_ZH}</title>`);
    expect(html).toContain('<meta name="robots" content="noindex"/>');
    expect(headerOf(html)).not.toMatch(/href="\/report[?"]/);
    expect(headerOf(html)).not.toMatch(/href="\/status[?"]/);
    expect(html).not.toContain("我要举报");
    expect(html).not.toContain('data-testid="hotline"');
    expect(footerOf(html)).not.toContain("0571-12393");
    // The language switch keeps the link's token (a switch without it would be refused).
    const switchHref = /<a href="([^"]*)"[^>]*data-testid="lang-switch"/.exec(html)?.[1]?.replaceAll("&amp;", "&");
    expect(switchHref).toBeDefined();
    const switched = new URL(switchHref!, "http://x");
    expect(switched.pathname).toBe(`/cases/${leadId}`);
    expect(switched.searchParams.get("t")).toBe(t);
    expect(switched.searchParams.get("lang")).toBe("en");
  });

  it("a refused unit link is a staff page too: the authority's name, no citizen menu", async () => {
    const res = await ctx.app.request("/units/unknown?t=nope&lang=en");
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain(`data-testid="authority">${AUTHORITY_EN}<`);
    expect(headerOf(html)).not.toMatch(/href="\/report[?"]/);
    expect(html).not.toContain("Report fraud");
    expect(html).not.toContain('data-testid="hotline"');
  });

  it("a public page still carries the citizen menu, the authority's name and the hotline", async () => {
    const res = await ctx.app.request("/notice?lang=zh-CN");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`data-testid="authority">${AUTHORITY_ZH}<`);
    expect(headerOf(html)).toMatch(/href="\/report\?lang=zh-CN"/);
    expect(headerOf(html)).toContain("我要举报");
    expect(html).toContain('data-testid="hotline"');
    expect(footerOf(html)).toContain("0571-12393");
  });
});
