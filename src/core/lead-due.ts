// An open lead's current deadline and the overview's week, as pure rules (`now` is a parameter).
import type { LeadState } from "./lead-lifecycle";

export type DueKind = "ack" | "accept" | "finish";

/**
 * The deadline an open lead is working towards: acknowledge while new, decide to accept while
 * acknowledged, finish while accepted or investigating (the same CASE as the index in migration 0017).
 * Null for a closed lead.
 */
export function currentDeadline(lead: { state: string; ackBy: number; acceptBy: number; finishBy: number }): { kind: DueKind; at: number } | null {
  switch (lead.state as LeadState) {
    case "new":
      return { kind: "ack", at: lead.ackBy };
    case "acknowledged":
      return { kind: "accept", at: lead.acceptBy };
    case "accepted":
    case "investigating":
      return { kind: "finish", at: lead.finishBy };
    default:
      return null;
  }
}

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** The end of this week (Monday to Sunday) in Asia/Shanghai: the instant next Monday begins. */
export function endOfShanghaiWeek(now: number): number {
  const local = now + SHANGHAI_OFFSET_MS;
  const dayStart = Math.floor(local / DAY_MS) * DAY_MS;
  // 1970-01-01 was a Thursday: day index 0 → Thursday; Monday-based weekday = (days + 3) % 7.
  const weekday = (Math.floor(local / DAY_MS) + 3) % 7;
  return dayStart + (7 - weekday) * DAY_MS - SHANGHAI_OFFSET_MS;
}
