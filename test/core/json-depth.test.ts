// The JSON nesting pre-scan agrees with the real nesting of any JSON value, ignores brackets inside
// strings (escaped quotes included), and stops early on hostile depth.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonNestingDepth, MAX_JSON_DEPTH, parseBoundedJson } from "../../src/core/json-depth";

function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === "object") return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

describe("jsonNestingDepth", () => {
  it("equals the nesting of any JSON value, whatever its strings contain", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (value) => {
        expect(jsonNestingDepth(JSON.stringify(value), 1000)).toBe(depthOf(value));
      }),
      { numRuns: 300 },
    );
  });

  it("does not count brackets in strings, escaped quotes included", () => {
    expect(jsonNestingDepth(JSON.stringify({ a: '"[[[[{{{{\\"]]', b: ["x\\\"[["] }))).toBe(2);
  });

  it("refuses 100,000 brackets without parsing, and parses what is within the limit", () => {
    expect(parseBoundedJson("[".repeat(100_000) + "]".repeat(100_000))).toEqual({ ok: false, reason: "too_deep" });
    const atLimit = "[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH);
    expect(parseBoundedJson(atLimit).ok).toBe(true);
    expect(parseBoundedJson("[" + atLimit + "]")).toEqual({ ok: false, reason: "too_deep" });
    expect(parseBoundedJson("{nope")).toEqual({ ok: false, reason: "invalid" });
  });
});
