// Done-when of issue 8: jilin-2020 started for 2026 reminds of the Oct 20 self-inspection deadline at the
// right instants across National Day (Oct 1–7) and the make-up working Saturday (Oct 10), once each when
// ticks are skipped, repeated or concurrent, and identically under TZ=UTC and TZ=Asia/Shanghai.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { everyMinutes, jilin2026, jilinAssignment, jilinReport, simulateTicks } from "./jilin-2026-schedule";

const utc = (local: string) => new Date(`${local}+08:00`).toISOString();
const at9 = (date: string) => utc(`${date}T09:00:00`);

const SELF_INSPECTION_SLOTS = [
  { key: "v1:before:7", sendAt: at9("2026-10-13") }, // Tue, a plain working day
  { key: "v1:before:3", sendAt: at9("2026-10-16") }, // Sat Oct 17 is no working day → Fri Oct 16
  { key: "v1:before:1", sendAt: at9("2026-10-19") }, // Mon
  { key: "v1:due", sendAt: at9("2026-10-20") }, // Tue
  { key: "v1:overdue:2026-10-21", sendAt: at9("2026-10-21") },
  { key: "v1:overdue:2026-10-22", sendAt: at9("2026-10-22") },
  { key: "v1:overdue:2026-10-23", sendAt: at9("2026-10-23") },
  { key: "v1:overdue:2026-10-26", sendAt: at9("2026-10-26") }, // weekend skipped
  { key: "v1:escalation", sendAt: at9("2026-10-26") }, // after Oct 21, 22, 23 (3 whole working days overdue)
  { key: "v1:overdue:2026-10-27", sendAt: at9("2026-10-27") },
];

describe("jilin-2020 started for 2026", () => {
  it("moves the template's dates to 2026", () => {
    const f = jilin2026();
    expect(f.deliverables.map((d) => d.due)).toEqual(["2026-07-07", "2026-10-20", "2026-10-31"]);
    expect(jilinAssignment("self-inspection").dueAt).toBe(Date.parse("2026-10-20T23:59:59.999+08:00"));
  });

  it("ticks every quarter hour from Sep 20: each slot at its instant, through National Day, once", () => {
    const sent = simulateTicks(jilinAssignment("self-inspection"), everyMinutes("2026-09-20T00:00:00+08:00", "2026-10-28T00:00:00+08:00", 15));
    expect(sent.map(({ key, sendAt }) => ({ key, sendAt }))).toEqual(SELF_INSPECTION_SLOTS);
    expect(sent.every((s) => s.tick === s.sendAt)).toBe(true);
  });

  it("one tick a day at 08:00: each reminder a day late, the due-day one lapses once the deadline has passed", () => {
    const sent = simulateTicks(jilinAssignment("self-inspection"), everyMinutes("2026-09-20T08:00:00+08:00", "2026-10-28T08:00:00+08:00", 24 * 60));
    expect(sent.map((s) => `${s.key} ${s.tick}`)).toEqual([
      `v1:before:7 ${utc("2026-10-14T08:00:00")}`,
      `v1:before:3 ${utc("2026-10-17T08:00:00")}`,
      `v1:before:1 ${utc("2026-10-20T08:00:00")}`,
      `v1:overdue:2026-10-21 ${utc("2026-10-22T08:00:00")}`,
      `v1:overdue:2026-10-22 ${utc("2026-10-23T08:00:00")}`,
      `v1:overdue:2026-10-23 ${utc("2026-10-24T08:00:00")}`,
      `v1:overdue:2026-10-26 ${utc("2026-10-27T08:00:00")}`,
      `v1:escalation ${utc("2026-10-27T08:00:00")}`,
      `v1:overdue:2026-10-27 ${utc("2026-10-28T08:00:00")}`,
    ]);
  });

  it("a week of missed ticks collapses into the latest slot: never 7 days before on the day before the deadline", () => {
    const sent = simulateTicks(jilinAssignment("self-inspection"), [Date.parse("2026-10-12T09:00:00+08:00"), Date.parse("2026-10-19T09:30:00+08:00")]);
    expect(sent.map((s) => s.key)).toEqual(["v1:before:1"]);
  });

  it("the deadline moved to Mon Oct 12: 7 days before lands on Sep 30 (National Day), 1 day before on the make-up Saturday Oct 10", () => {
    const moved = jilinReport().moved;
    expect(moved.map(({ key, sendAt }) => `${key} ${sendAt}`)).toEqual([
      `v2:before:7 ${at9("2026-09-30")}`,
      `v2:before:3 ${at9("2026-10-09")}`,
      `v2:before:1 ${at9("2026-10-10")}`,
      `v2:due ${at9("2026-10-12")}`,
      `v2:overdue:2026-10-13 ${at9("2026-10-13")}`,
      `v2:overdue:2026-10-14 ${at9("2026-10-14")}`,
      `v2:overdue:2026-10-15 ${at9("2026-10-15")}`,
      `v2:overdue:2026-10-16 ${at9("2026-10-16")}`,
      `v2:escalation ${at9("2026-10-16")}`,
      `v2:overdue:2026-10-19 ${at9("2026-10-19")}`,
    ]);
  });

  it("skipped, repeated, shuffled and concurrent (stale) ticks send each slot at most once and never a stale one", () => {
    const a = jilinAssignment("self-inspection");
    const grid = everyMinutes("2026-09-20T00:00:00+08:00", "2026-10-28T00:00:00+08:00", 60);
    const bySlot = new Map(SELF_INSPECTION_SLOTS.map((s) => [s.key, Date.parse(s.sendAt)]));
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...grid), { maxLength: 120 }),
        fc.array(fc.nat(3), { maxLength: 120 }),
        fc.boolean(),
        (ticks, lags, inOrder) => {
          // Repeated ticks; in time order or as generated (out of order).
          const sorted = [...ticks, ...ticks.slice(0, 10)];
          if (inOrder) sorted.sort((x, y) => x - y);
          const sent = simulateTicks(a, sorted, { staleReads: lags });
          expect(new Set(sent.map((s) => s.key)).size).toBe(sent.length);
          for (const s of sent) {
            expect(bySlot.get(s.key)).toBe(Date.parse(s.sendAt));
            const t = Date.parse(s.tick);
            // No later reminder slot had come when this one went out.
            if (s.kind !== "escalation")
              for (const [k, at] of bySlot) if (!k.endsWith("escalation") && at > Date.parse(s.sendAt)) expect(at).toBeGreaterThan(t);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("gives the same instants under TZ=UTC and TZ=Asia/Shanghai (separate processes)", () => {
    const script = fileURLToPath(new URL("./print-jilin-2026.ts", import.meta.url));
    const run = (tz: string) => JSON.parse(execFileSync(process.execPath, ["--import", "tsx", script], { env: { ...process.env, TZ: tz }, encoding: "utf8" }));
    const here = JSON.parse(JSON.stringify(jilinReport()));
    expect(run("UTC")).toEqual(here);
    expect(run("Asia/Shanghai")).toEqual(here);
    expect(here.everyQuarterHour.map((s: { key: string; sendAt: string }) => ({ key: s.key, sendAt: s.sendAt }))).toEqual(SELF_INSPECTION_SLOTS);
  });
});
