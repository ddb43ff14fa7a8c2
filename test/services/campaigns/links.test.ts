// Signed links to the unit page and the board: bound to their member and place, refused once expired.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boardUrl, unitPageUrl, verifyBoardLinkToken, verifyUnitLinkToken, UNIT_LINK_DAYS } from "../../../src/services/campaigns/links";
import { createTestContext, type TestContext } from "../../support/context";

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ PUBLIC_BASE_URL: "https://fw.example.org/" });
});
afterAll(() => ctx.close());

const tokenOf = (url: string) => new URL(url).searchParams.get("t")!;

describe("campaign links", () => {
  it("a unit link names its unit and member and stays valid for a week", async () => {
    const now = ctx.deps.now();
    const url = await unitPageUrl(ctx.deps, { memberId: "mem_A", unitId: "chengdu-jinniu-bureau" }, now);
    expect(url.startsWith("https://fw.example.org/units/chengdu-jinniu-bureau?t=")).toBe(true);
    const token = tokenOf(url);
    expect(await verifyUnitLinkToken(ctx.deps, "chengdu-jinniu-bureau", token)).toBe("mem_A");
    expect(await verifyUnitLinkToken(ctx.deps, "other-unit", token)).toBeNull();
    // Not a board token, even for a campaign of the same name.
    expect(await verifyBoardLinkToken(ctx.deps, "chengdu-jinniu-bureau", token)).toBeNull();
    const [, exp, mac] = token.split(".");
    expect(await verifyUnitLinkToken(ctx.deps, "chengdu-jinniu-bureau", `mem_B.${exp}.${mac}`)).toBeNull();
    expect(await verifyUnitLinkToken(ctx.deps, "chengdu-jinniu-bureau", `mem_A.${Number(exp) + 1}.${mac}`)).toBeNull();
    ctx.setNow(new Date(now.getTime() + UNIT_LINK_DAYS * 86_400_000 - 1000));
    expect(await verifyUnitLinkToken(ctx.deps, "chengdu-jinniu-bureau", token)).toBe("mem_A");
    ctx.setNow(new Date(now.getTime() + UNIT_LINK_DAYS * 86_400_000 + 1000));
    expect(await verifyUnitLinkToken(ctx.deps, "chengdu-jinniu-bureau", token)).toBeNull();
    ctx.setNow(now);
  });

  it("a board link is per coordinator and campaign, and garbage is refused without an error", async () => {
    const token = tokenOf(await boardUrl(ctx.deps, { memberId: "mem_C", campaignId: "cmp_1" }, ctx.deps.now().getTime()));
    expect(await verifyBoardLinkToken(ctx.deps, "cmp_1", token)).toBe("mem_C");
    expect(await verifyBoardLinkToken(ctx.deps, "cmp_2", token)).toBeNull();
    for (const bad of [undefined, "", "a.b", "a.b.c.d", "mem_C.NaN.x", "mem_C.1e3.x", `mem_C.${"9".repeat(40)}.x`, "x".repeat(10_000)])
      expect(await verifyBoardLinkToken(ctx.deps, "cmp_1", bad)).toBeNull();
  });
});
