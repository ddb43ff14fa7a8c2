import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { leadTimeliness, summariseTimeliness, workingHoursBetween, type LeadTimes } from "../../../src/core/statistics/timeliness";
import { createWorkCalendar } from "../../../src/core/work-calendar";

const cal = createWorkCalendar();
/** Shanghai local time → ms. */
const sh = (local: string) => Date.parse(`${local}+08:00`);

// 2025: Sun 28 Sep is a make-up working day, 1–8 Oct are the National Day / Mid-Autumn holidays, Sat
// 11 Oct is a make-up working day.
const friday = sh("2025-09-26T16:00:00");

describe("one lead's timeliness, worked by hand", () => {
  it("a lead received Friday 16:00 before National Day: deadlines skip the holiday and count make-up days", () => {
    const t = leadTimeliness({ receivedAt: friday }, { cal, now: new Date(friday) });
    // 1.5 h on Friday, then Sunday 28 Sep (make-up day) 09:00 + 2.5 h.
    expect(t.ack.deadline).toBe(sh("2025-09-28T11:30:00"));
    // 28, 29, 30 Sep, 9, 10, 11 (Sat, make-up), 13–17, 20–23 Oct: the 15th working day is Thu 23 Oct.
    expect(t.decide.deadline).toBe(sh("2025-10-23T23:59:59.999"));
    // … 24, 27–31 Oct, 3–7, 10–13 Nov: the 30th is Thu 13 Nov.
    expect(t.close.deadline).toBe(sh("2025-11-13T23:59:59.999"));
    expect([t.ack.counts, t.decide.counts, t.close.counts]).toEqual([false, false, false]);
  });

  it("acknowledged Monday 10:00 is late after 11 working hours; decided on the 15th day is on time", () => {
    const t = leadTimeliness(
      { receivedAt: friday, acknowledgedAt: sh("2025-09-29T10:00:00"), decidedAt: sh("2025-10-23T17:00:00"), closedAt: sh("2025-11-14T09:00:00") },
      { cal, now: new Date(sh("2025-12-01T00:00:00")) },
    );
    expect(t.ack).toMatchObject({ counts: true, inTime: false, elapsed: 11 }); // 1.5 Fri + 8.5 Sun + 1 Mon
    expect(t.decide).toMatchObject({ counts: true, inTime: true, elapsed: 15 });
    expect(t.close).toMatchObject({ counts: true, inTime: false, elapsed: 31 });
  });

  it("an acknowledgement exactly at the deadline is on time; a decision implies the acknowledgement", () => {
    expect(leadTimeliness({ receivedAt: friday, acknowledgedAt: sh("2025-09-28T11:30:00") }, { cal, now: new Date(friday) }).ack).toMatchObject({ inTime: true, elapsed: 4 });
    const t = leadTimeliness({ receivedAt: friday, closedAt: sh("2025-09-26T16:30:00") }, { cal, now: new Date(friday) });
    expect(t.ack).toMatchObject({ inTime: true, elapsed: 0.5 });
    expect(t.decide).toMatchObject({ inTime: true, elapsed: 0 });
  });

  it("an open lead counts as late only once its deadline has passed", () => {
    const lead = { receivedAt: friday };
    expect(leadTimeliness(lead, { cal, now: new Date(sh("2025-09-28T11:30:00")) }).ack.counts).toBe(false);
    expect(leadTimeliness(lead, { cal, now: new Date(sh("2025-09-28T11:30:01")) }).ack).toMatchObject({ counts: true, inTime: false, elapsed: null });
    expect(leadTimeliness(lead, { cal, now: new Date(sh("2025-10-23T23:00:00")) }).decide.counts).toBe(false);
    expect(leadTimeliness(lead, { cal, now: new Date(sh("2025-10-24T00:00:00")) }).decide).toMatchObject({ counts: true, inTime: false });
  });

  it("uses the lead's stored acknowledgement deadline when it has one", () => {
    const t = leadTimeliness({ receivedAt: friday, ackBy: sh("2025-09-29T17:30:00"), acknowledgedAt: sh("2025-09-29T10:00:00") }, { cal, now: new Date(friday) });
    expect(t.ack).toMatchObject({ inTime: true, elapsed: 11 });
  });
});

describe("working hours between two instants", () => {
  it("counts only working hours on working days", () => {
    expect(workingHoursBetween(cal, friday, sh("2025-09-29T10:00:00"))).toBe(11);
    expect(workingHoursBetween(cal, sh("2025-09-30T17:00:00"), sh("2025-10-09T09:30:00"))).toBe(1); // across the holiday
    expect(workingHoursBetween(cal, sh("2025-10-01T10:00:00"), sh("2025-10-01T12:00:00"))).toBe(0);
    expect(workingHoursBetween(cal, sh("2025-10-09T12:00:00"), sh("2025-10-09T11:00:00"))).toBe(0);
    expect(workingHoursBetween(cal, sh("2025-10-09T07:00:00"), sh("2025-10-09T20:00:00"), { start: "08:30", end: "18:00" })).toBe(9.5);
  });
});

describe("timeliness of a list of leads", () => {
  const now = new Date(sh("2025-11-10T12:00:00"));
  const a: LeadTimes = { receivedAt: friday, acknowledgedAt: sh("2025-09-29T10:00:00"), decidedAt: sh("2025-10-23T17:00:00"), closedAt: sh("2025-11-14T09:00:00") };
  const b: LeadTimes = { receivedAt: friday, acknowledgedAt: sh("2025-09-28T11:30:00"), decidedAt: sh("2025-10-24T09:00:00") };
  // Received Tue 30 Sep 16:00, never touched: ack due Thu 9 Oct 11:30, decision due Tue 28 Oct, closing not yet.
  const c: LeadTimes = { receivedAt: sh("2025-09-30T16:00:00") };

  it("gives shares over the leads that count and nearest-rank percentiles over those that happened", () => {
    const s = summariseTimeliness([a, b, c], { cal, now: new Date(sh("2026-01-01T00:00:00")) });
    expect(s.counted).toEqual({ ack: 3, decide: 3, close: 3 });
    const at = summariseTimeliness([a, b, c], { cal, now });
    expect(at.acknowledgedInTime).toBeCloseTo(1 / 3);
    expect(at.decidedInTime).toBeCloseTo(1 / 3);
    expect(at.closedInTime).toBe(0); // only a counts (closed late); b and c are not yet due
    expect(at.counted).toEqual({ ack: 3, decide: 3, close: 1 });
    expect(at.ackWorkingHours).toEqual({ count: 2, median: 4, p90: 11 });
    expect(at.decideWorkingDays).toEqual({ count: 2, median: 15, p90: 16 });
    expect(at.closeWorkingDays).toEqual({ count: 1, median: 31, p90: 31 });
  });

  it("is null where nothing counts", () => {
    const s = summariseTimeliness([], { cal, now });
    expect(s).toMatchObject({ acknowledgedInTime: null, decidedInTime: null, closedInTime: null, ackWorkingHours: { count: 0, median: null, p90: null } });
    expect(summariseTimeliness([{ receivedAt: now.getTime() }], { cal, now }).acknowledgedInTime).toBeNull();
  });

  const hour = 3600_000;
  const leadArb = fc
    .record({
      receivedAt: fc.integer({ min: sh("2025-01-01T00:00:00"), max: sh("2026-12-01T00:00:00") }),
      ack: fc.option(fc.integer({ min: 0, max: 200 * hour })),
      decide: fc.option(fc.integer({ min: 0, max: 60 * 24 * hour })),
      close: fc.option(fc.integer({ min: 0, max: 90 * 24 * hour })),
    })
    .map(({ receivedAt, ack, decide, close }): LeadTimes => ({
      receivedAt,
      acknowledgedAt: ack == null ? null : receivedAt + ack,
      decidedAt: decide == null ? null : receivedAt + decide,
      closedAt: close == null ? null : receivedAt + close,
    }));
  const nowArb = fc.integer({ min: sh("2025-01-01T00:00:00"), max: sh("2027-06-01T00:00:00") }).map((t) => new Date(t));

  it("ratios stay within 0..1 and count at most every lead", () => {
    fc.assert(
      fc.property(fc.array(leadArb, { maxLength: 20 }), nowArb, (leads, at) => {
        const s = summariseTimeliness(leads, { cal, now: at });
        for (const r of [s.acknowledgedInTime, s.decidedInTime, s.closedInTime]) if (r !== null) expect(r >= 0 && r <= 1).toBe(true);
        for (const n of Object.values(s.counted)) expect(n).toBeLessThanOrEqual(leads.length);
        for (const d of [s.ackWorkingHours, s.decideWorkingDays, s.closeWorkingDays]) if (d.count > 0) expect(d.median!).toBeLessThanOrEqual(d.p90!);
      }),
      { numRuns: 60 },
    );
  });

  it("on time agrees with the elapsed working time, and a lead once counted stays counted", () => {
    fc.assert(
      fc.property(leadArb, nowArb, nowArb, (lead, t1, t2) => {
        const [early, late] = t1 <= t2 ? [t1, t2] : [t2, t1];
        const x = leadTimeliness(lead, { cal, now: early });
        const y = leadTimeliness(lead, { cal, now: late });
        for (const k of ["ack", "decide", "close"] as const) if (x[k].counts) expect(y[k]).toEqual(x[k]);
        const limits = { ack: 4, decide: 15, close: 30 };
        for (const k of ["ack", "decide", "close"] as const) {
          const m = y[k];
          if (m.elapsed == null) continue;
          if (m.inTime) expect(m.elapsed).toBeLessThanOrEqual(limits[k] + 1e-9);
          if (m.elapsed < limits[k] - 1e-9) expect(m.inTime).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });
});
