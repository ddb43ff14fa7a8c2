// Median, 90th percentile and ratios for the statistics: small, exact and defined on the empty list.

/**
 * The p-th percentile by the nearest-rank method: sort ascending and take the value at rank
 * ⌈p/100 × n⌉ (1-based). It is always one of the observed values, so "90 % of leads were decided within
 * X working days" holds for the X it reports. Null for an empty list. `p` in (0, 100].
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return null;
  const sorted = [...finite].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(1, rank) - 1]!;
}

/**
 * The median as the nearest-rank 50th percentile: the lower middle value of an even list (1, 2, 3, 4 →
 * 2), not the mean of the two, so it is an observed duration like the 90th percentile beside it.
 */
export const median = (values: readonly number[]) => percentile(values, 50);
export const p90 = (values: readonly number[]) => percentile(values, 90);

/** numerator / denominator, or null when nothing counts (a 0 denominator is "no data", not 0 %). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/**
 * The same nearest-rank percentile over a histogram: (value, how many times) pairs in any order, so a
 * year's elapsed figures can arrive grouped from SQL. Equals percentile() over the expanded list.
 */
export function percentileOfCounts(counts: Iterable<readonly [number, number]>, p: number): number | null {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const merged = new Map<number, number>();
  for (const [v, n] of counts) if (Number.isFinite(v) && n > 0) merged.set(v, (merged.get(v) ?? 0) + n);
  const sorted = [...merged].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [v, n] of sorted) if ((seen += n) >= rank) return v;
  return sorted[sorted.length - 1]![0];
}
