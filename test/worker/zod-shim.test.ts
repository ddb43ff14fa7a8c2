// The Worker's `zod` (src/worker-shims/zod.ts, aliased in wrangler.toml) must be zod's `z` less the locale
// bundle: every other export present and the very same value, and schemas still speaking English.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z as real } from "zod";
import { describe, expect, it } from "vitest";
import { z as lean } from "../../src/worker-shims/zod";

const LEFT_OUT = ["locales", "core"];
// Left out as unused by src (the guard below keeps it so): the schema compiler and JSON Schema → zod.
const UNUSED_LEFT_OUT = ["compile", "withParser", "INVALID", "ZodCompileAsyncError", "ZodCompileUnsupportedError", "fromJSONSchema"];

describe("the Worker's zod", () => {
  it("has every export of zod's z but the locales and the unused ones, each the same value", () => {
    const kept = (k: string) => !LEFT_OUT.includes(k) && !UNUSED_LEFT_OUT.includes(k);
    const missing = Object.keys(real).filter((k) => kept(k) && !(k in lean));
    expect(missing).toEqual([]);
    for (const key of Object.keys(real)) if (kept(key)) expect((lean as Record<string, unknown>)[key], key).toBe((real as Record<string, unknown>)[key]);
    for (const key of [...LEFT_OUT, ...UNUSED_LEFT_OUT]) expect(Object.keys(lean), key).not.toContain(key);
    // Each name left out is one zod really has (a rename upstream would otherwise go unnoticed here).
    for (const key of UNUSED_LEFT_OUT) expect(Object.keys(real), key).toContain(key);
  });

  it("is not asked by src for anything it leaves out (the Worker would get undefined)", () => {
    const files = readdirSync("src", { recursive: true, encoding: "utf8" }).filter((f) => /\.tsx?$/.test(f) && !f.startsWith("worker-shims"));
    const uses = files.flatMap((f) => {
      const text = readFileSync(join("src", f), "utf8");
      return UNUSED_LEFT_OUT.filter((name) => new RegExp(`\\bz\\.${name}\\b|import\\s*\\{[^}]*\\b${name}\\b[^}]*\\}\\s*from\\s*"zod`).test(text)).map((name) => `${f}: ${name}`);
    });
    expect(files.length).toBeGreaterThan(100);
    expect(uses).toEqual([]);
  });

  it("validates and reports in English as zod does", () => {
    const schema = lean.object({ name: lean.string().min(2), age: lean.coerce.number().int() });
    expect(schema.parse({ name: "Li", age: "7" })).toEqual({ name: "Li", age: 7 });
    const failed = schema.safeParse({ name: "L", age: "x" });
    expect(failed.success).toBe(false);
    expect(failed.error!.issues.map((i) => i.message)).toEqual(real.object({ name: real.string().min(2), age: real.coerce.number().int() }).safeParse({ name: "L", age: "x" }).error!.issues.map((i) => i.message));
  });
});
