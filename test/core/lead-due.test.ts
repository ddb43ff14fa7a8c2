// An open lead's current deadline and the overview's week (Monday to Sunday, Asia/Shanghai).
import { describe, expect, it } from "vitest";
import { currentDeadline, endOfShanghaiWeek } from "../../src/core/lead-due";
import { OPEN_LEAD_STATES_SQL } from "../../src/db/schema";
import { OPEN_LEAD_STATES } from "../../src/services/leads/lead-model";

const lead = (state: string) => ({ state, ackBy: 1, acceptBy: 2, finishBy: 3 });

describe("currentDeadline", () => {
  it("is the acknowledgement while new, the decision while acknowledged, the finish while accepted or investigating", () => {
    expect(currentDeadline(lead("new"))).toEqual({ kind: "ack", at: 1 });
    expect(currentDeadline(lead("acknowledged"))).toEqual({ kind: "accept", at: 2 });
    expect(currentDeadline(lead("accepted"))).toEqual({ kind: "finish", at: 3 });
    expect(currentDeadline(lead("investigating"))).toEqual({ kind: "finish", at: 3 });
    expect(currentDeadline(lead("concluded"))).toBeNull();
    expect(currentDeadline(lead("not_accepted"))).toBeNull();
  });

  it("the indexes' open states are exactly the lead model's open states", () => {
    const text = (OPEN_LEAD_STATES_SQL as unknown as { queryChunks: { value: string[] }[] }).queryChunks.flatMap((c) => c.value).join("");
    const listed = [...text.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
    expect(listed.sort()).toEqual([...OPEN_LEAD_STATES].sort());
  });
});

describe("endOfShanghaiWeek", () => {
  it("is the start of next Monday in Shanghai, whatever the day and hour", () => {
    const monday = Date.parse("2026-12-13T16:00:00Z"); // Mon 2026-12-14 00:00 in Shanghai
    expect(endOfShanghaiWeek(Date.parse("2026-12-07T01:00:00Z"))).toBe(monday); // Monday morning
    expect(endOfShanghaiWeek(Date.parse("2026-12-13T15:59:59Z"))).toBe(monday); // Sunday 23:59:59
    expect(endOfShanghaiWeek(Date.parse("2026-12-06T16:00:00Z"))).toBe(monday); // Monday 00:00 itself
    expect(endOfShanghaiWeek(Date.parse("2026-12-06T15:59:59Z"))).toBe(Date.parse("2026-12-06T16:00:00Z"));
  });
});
