// Starting a template for another year: every date moves by the same number of years, keeping month and
// day (29 February becomes the 28th in a common year), so cross-year dates (a Q4 table due in January) stay
// in the following year.
import type { CampaignFile } from "./campaign-file";
import { clampedDate } from "./local-time";

function shiftDate(date: string, years: number): string {
  const y = Number(date.slice(0, 4)) + years;
  return clampedDate(y, Number(date.slice(5, 7)), Number(date.slice(8, 10))) + date.slice(10);
}

const shiftMonth = (month: string, years: number) =>
  `${String(Number(month.slice(0, 4)) + years).padStart(4, "0")}${month.slice(4)}`;

export function campaignForYear(file: CampaignFile, year: number): CampaignFile {
  const years = year - file.year;
  return {
    ...file,
    year,
    phases: file.phases.map((p) => ({ ...p, startsOn: shiftDate(p.startsOn, years), endsOn: shiftDate(p.endsOn, years) })),
    deliverables: file.deliverables.map((d) => ({
      ...d,
      ...(d.due !== undefined ? { due: shiftDate(d.due, years) } : {}),
      ...(d.recurrence
        ? {
            recurrence: {
              ...d.recurrence,
              ...(d.recurrence.from ? { from: shiftMonth(d.recurrence.from, years) } : {}),
              ...(d.recurrence.to ? { to: shiftMonth(d.recurrence.to, years) } : {}),
            },
          }
        : {}),
    })),
  };
}
