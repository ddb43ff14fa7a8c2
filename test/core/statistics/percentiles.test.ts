import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { median, p90, percentile, percentileOfCounts, ratio } from "../../../src/core/statistics/percentiles";

describe("median and 90th percentile (nearest rank)", () => {
  it("takes observed values at rank ⌈p·n⌉", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2); // lower middle, not 2.5
    expect(p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toBe(9); // ⌈0.9·10⌉ = 9
    expect(p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])).toBe(10); // ⌈9.9⌉ = 10
    expect(p90([7])).toBe(7);
    expect(percentile([3, 1, 2], 100)).toBe(3);
  });

  it("is null for an empty list and ignores what is not a number", () => {
    expect(median([])).toBeNull();
    expect(p90([])).toBeNull();
    expect(median([Number.NaN, 2])).toBe(2);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it("ratio is null when nothing counts", () => {
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(0, 4)).toBe(0);
    expect(ratio(3, 4)).toBe(0.75);
  });

  const list = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 });

  it("is bounded by the list's min and max and is one of its values", () => {
    fc.assert(
      fc.property(list, fc.double({ min: 0.01, max: 100, noNaN: true }), (xs, p) => {
        const v = percentile(xs, p)!;
        expect(v).toBeGreaterThanOrEqual(Math.min(...xs));
        expect(v).toBeLessThanOrEqual(Math.max(...xs));
        expect(xs).toContain(v);
      }),
    );
  });

  it("is monotone in p, and median ≤ p90", () => {
    fc.assert(
      fc.property(list, fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: 0.01, max: 100, noNaN: true }), (xs, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(percentile(xs, lo)!).toBeLessThanOrEqual(percentile(xs, hi)!);
        expect(median(xs)!).toBeLessThanOrEqual(p90(xs)!);
      }),
    );
  });

  it("at least p % of the values are at or below the p-th percentile", () => {
    fc.assert(
      fc.property(list, fc.integer({ min: 1, max: 100 }), (xs, p) => {
        const v = percentile(xs, p)!;
        expect(xs.filter((x) => x <= v).length / xs.length).toBeGreaterThanOrEqual(p / 100 - 1e-12);
      }),
    );
  });

  it("does not depend on the order of the list", () => {
    fc.assert(
      fc.property(list, (xs) => {
        expect(p90([...xs].reverse())).toBe(p90(xs));
      }),
    );
  });
});

describe("percentileOfCounts (a histogram, as the statistics read it from SQL)", () => {
  it("equals the percentile of the expanded list", () => {
    expect(percentileOfCounts([[2, 1], [0.5, 1], [7, 1], [4, 1]], 50)).toBe(2);
    expect(percentileOfCounts([[1, 3], [2, 1], [0, 1]], 90)).toBe(2);
    expect(percentileOfCounts([], 50)).toBeNull();
    expect(percentileOfCounts([[3, 0]], 50)).toBeNull();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 5 })), { maxLength: 30 }), fc.constantFrom(50, 90, 100, 1), (pairs, p) => {
        const expanded = pairs.flatMap(([v, n]) => Array<number>(n).fill(v));
        expect(percentileOfCounts(pairs, p)).toBe(percentile(expanded, p));
      }),
    );
  });
});

