// Calendar helpers in the supervisors' time zone (Asia/Shanghai, UTC+8, no daylight saving).

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The calendar date (YYYY-MM-DD) in Asia/Shanghai at instant `now`. */
export function shanghaiDate(now: Date): string {
  return new Date(now.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** Local date-time text in Asia/Shanghai, e.g. "2026-11-24 21:33". */
export function shanghaiDateTime(now: Date): string {
  return new Date(now.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16).replace("T", " ");
}
