// Ids come from a pooled CSPRNG draw (src/core/ids.ts): every id is fresh, well-formed, and the
// symbols stay evenly spread across the alphabet (no byte handed out twice, no bias).
import { describe, expect, it } from "vitest";
import { newId, newIdRun, newReportId } from "../../src/core/ids";
import { RECEIPT_ALPHABET } from "../../src/core/receipt";

describe("ids", () => {
  it("are unique and well-formed across many pool refills", () => {
    const ids = new Set<string>();
    const symbol = `[${RECEIPT_ALPHABET}]`;
    for (let i = 0; i < 20_000; i++) {
      const id = newId("tl");
      expect(id).toMatch(new RegExp(`^tl_${symbol}{16}$`));
      ids.add(id);
    }
    expect(ids.size).toBe(20_000);
    expect(newReportId("2026-11-24")).toMatch(new RegExp(`^FW-20261124-${symbol}{8}$`));
  });

  it("spread their symbols evenly", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 4_000; i++) for (const c of newId("x").slice(2)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(32);
    // 64,000 symbols over 32: 2,000 each expected; a repeated or stuck pool would skew this far more.
    for (const n of counts.values()) expect(Math.abs(n - 2000)).toBeLessThan(250);
  });

  it("use the random source given (deterministic tests)", () => {
    expect(newId("t", (n) => new Uint8Array(n))).toBe(`t_${RECEIPT_ALPHABET[0]!.repeat(16)}`);
  });

  it("a run shares a random stem and counts up in sort order: neighbours in an index, unique, same shape as newId", () => {
    const symbol = `[${RECEIPT_ALPHABET}]`;
    const run = newIdRun("out");
    const ids = Array.from({ length: 3000 }, () => run());
    for (const id of ids) expect(id).toMatch(new RegExp(`^out_${symbol}{16}$`));
    expect(new Set(ids).size).toBe(3000);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids.map((id) => id.slice(0, 15))).size).toBe(1);
    // Two runs start from different stems.
    expect(newIdRun("out")().slice(0, 15)).not.toBe(ids[0]!.slice(0, 15));
    expect(newIdRun("t", (n) => new Uint8Array(n))()).toBe(`t_${RECEIPT_ALPHABET[0]!.repeat(16)}`);
  });
});
