// The Worker's `zod` (src/worker-shims/zod.ts, aliased in wrangler.toml) must be zod's `z` less the locale
// bundle: every other export present and the very same value, and schemas still speaking English.
import { z as real } from "zod";
import { describe, expect, it } from "vitest";
import { z as lean } from "../../src/worker-shims/zod";

const LEFT_OUT = ["locales", "core"];

describe("the Worker's zod", () => {
  it("has every export of zod's z but the locales, each the same value", () => {
    const missing = Object.keys(real).filter((k) => !LEFT_OUT.includes(k) && !(k in lean));
    expect(missing).toEqual([]);
    for (const key of Object.keys(real)) if (!LEFT_OUT.includes(key)) expect((lean as Record<string, unknown>)[key], key).toBe((real as Record<string, unknown>)[key]);
    expect(Object.keys(lean)).not.toContain("locales");
  });

  it("validates and reports in English as zod does", () => {
    const schema = lean.object({ name: lean.string().min(2), age: lean.coerce.number().int() });
    expect(schema.parse({ name: "Li", age: "7" })).toEqual({ name: "Li", age: 7 });
    const failed = schema.safeParse({ name: "L", age: "x" });
    expect(failed.success).toBe(false);
    expect(failed.error!.issues.map((i) => i.message)).toEqual(real.object({ name: real.string().min(2), age: real.coerce.number().int() }).safeParse({ name: "L", age: "x" }).error!.issues.map((i) => i.message));
  });
});
