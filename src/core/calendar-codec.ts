// The compact text form of the official calendar's dates (src/core/reference/official-calendar.ts, written
// by scripts/generate-official-calendar.ts): "YYYY:MMDD-MMDD,MMDD;YYYY:…", runs of consecutive days as
// ranges. A few kilobytes instead of chinese-days' 44 KB of JSON (names of holidays included) in the Worker.

const DAY_MS = 86_400_000;
const isoOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const msOf = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** Encodes ISO dates (any order, duplicates ignored). */
export function encodeCalendarDates(dates: Iterable<string>): string {
  const byYear = new Map<string, number[]>();
  for (const date of new Set(dates)) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || isoOf(msOf(date)) !== date) throw new Error(`not a calendar date: ${date}`);
    const days = byYear.get(date.slice(0, 4)) ?? [];
    days.push(msOf(date));
    byYear.set(date.slice(0, 4), days);
  }
  const mmdd = (ms: number) => isoOf(ms).slice(5).replace("-", "");
  return [...byYear.keys()]
    .sort()
    .map((year) => {
      const days = byYear.get(year)!.sort((a, b) => a - b);
      const runs: string[] = [];
      for (let i = 0; i < days.length; ) {
        let j = i;
        while (j + 1 < days.length && days[j + 1]! - days[j]! === DAY_MS) j++;
        runs.push(i === j ? mmdd(days[i]!) : `${mmdd(days[i]!)}-${mmdd(days[j]!)}`);
        i = j + 1;
      }
      return `${year}:${runs.join(",")}`;
    })
    .join(";");
}

/** The ISO dates of an encoded list, in order. */
export function decodeCalendarDates(encoded: string): string[] {
  if (!encoded) return [];
  return encoded.split(";").flatMap((entry) => {
    const [year, runs = ""] = entry.split(":");
    return runs.split(",").flatMap((run) => {
      const [from = "", to = from] = run.split("-");
      const date = (mmdd: string) => `${year}-${mmdd.slice(0, 2)}-${mmdd.slice(2)}`;
      const out: string[] = [];
      for (let ms = msOf(date(from)); ms <= msOf(date(to)); ms += DAY_MS) out.push(isoOf(ms));
      return out;
    });
  });
}
