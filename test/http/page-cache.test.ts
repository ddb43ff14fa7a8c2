// The blank tip form is rendered once per day and locale and served from memory afterwards, identical
// to a fresh rendering but for each visitor's one-time token; the report schema is likewise built once per day.
import { describe, expect, it } from "vitest";
import { reportSchemaFor } from "../../src/services/intake/validate-submission";
import { createTestContext } from "../support/context";
import { validReport } from "../support/fixtures";

describe("built once, not per request", () => {
  it("serves the same blank form per locale, and a new one when the day changes", async () => {
    const ctx = await createTestContext();
    try {
      // Each visitor gets their own one-time token in the cached page; everything else is identical.
      const token = (html: string) => /name="_once" value="([^"]+)"/.exec(html)![1]!;
      const withoutToken = (html: string) => html.replace(token(html), "TOKEN");
      const zh1 = await (await ctx.app.request("/report")).text();
      const zh2 = await (await ctx.app.request("/report")).text();
      const en = await (await ctx.app.request("/report?lang=en")).text();
      expect(token(zh2)).not.toBe(token(zh1));
      expect(withoutToken(zh2)).toBe(withoutToken(zh1));
      expect(en).not.toBe(zh1);
      expect(en).toContain('lang="en"');
      expect(zh1).toContain("max=\"2026-11-24\"");
      ctx.setNow("2026-11-25T02:00:00Z");
      const tomorrow = await (await ctx.app.request("/report")).text();
      expect(tomorrow).toContain("max=\"2026-11-25\"");
      expect(tomorrow).not.toContain("max=\"2026-11-24\"");
    } finally {
      await ctx.close();
    }
  });

  it("builds the report schema once per day and keeps the date rule of that day", () => {
    expect(reportSchemaFor("2026-11-24")).toBe(reportSchemaFor("2026-11-24"));
    const future = validReport({ occurredFrom: "2026-11-25", occurredTo: undefined });
    expect(reportSchemaFor("2026-11-24").safeParse(future).success).toBe(false);
    expect(reportSchemaFor("2026-11-25").safeParse(future).success).toBe(true);
  });
});
