// Which assignments a deliverable produces: one for a one-off deadline, one per month, quarter or year
// for a recurring one, each with its deadline instant (Asia/Shanghai; a date alone means the end of that day).
import type { CampaignDeliverable } from "./campaign-file";
import { clampedDate, endOfLocalDay, instantAt } from "./local-time";

/** The deadline instant of a due text: `YYYY-MM-DD` → 23:59:59.999 that day, `YYYY-MM-DDTHH:MM` → that minute. */
export function dueInstant(due: string): number {
  const [date, time] = due.split("T") as [string, string | undefined];
  return time ? instantAt(date, time) : endOfLocalDay(date);
}

export interface AssignmentPeriod {
  /** "" for a one-off deliverable, `2026-06` for a month, `2026-Q2` for a quarter, `2026` for a year. */
  period: string;
  dueAt: number;
}

const monthIndex = (ym: string) => Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1;

export function assignmentPeriods(deliverable: Pick<CampaignDeliverable, "due" | "recurrence">, campaignYear: number): AssignmentPeriod[] {
  if (deliverable.due !== undefined) return [{ period: "", dueAt: dueInstant(deliverable.due) }];
  const r = deliverable.recurrence;
  if (!r) throw new TypeError("a deliverable needs `due` or `recurrence`");
  const first = monthIndex(r.from ?? `${campaignYear}-01`);
  const last = monthIndex(r.to ?? `${campaignYear}-12`);
  const out: AssignmentPeriod[] = [];
  const dueIn = (mi: number) => endOfLocalDay(clampedDate(Math.floor(mi / 12), (mi % 12) + 1, r.day));
  if (r.every === "month") {
    for (let mi = first; mi <= last; mi++) {
      const y = Math.floor(mi / 12);
      out.push({ period: `${y}-${String((mi % 12) + 1).padStart(2, "0")}`, dueAt: dueIn(mi + 1) });
    }
  } else if (r.every === "year") {
    // Years containing the first and last month, each due in the January after it.
    for (let y = Math.floor(first / 12); y <= Math.floor(last / 12); y++) out.push({ period: String(y), dueAt: dueIn((y + 1) * 12) });
  } else {
    // Quarters containing the first and last month, each due in the month after the quarter.
    for (let qi = Math.floor(first / 3); qi <= Math.floor(last / 3); qi++) {
      const y = Math.floor(qi / 4);
      out.push({ period: `${y}-Q${(qi % 4) + 1}`, dueAt: dueIn(qi * 3 + 3) });
    }
  }
  return out;
}
