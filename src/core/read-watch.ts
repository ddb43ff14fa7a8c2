// When to ask a platform again who read a watched message: soon after it was sent (most people read a
// card within minutes), then ever more rarely, and never after three days (by then a reminder that was
// read and not acknowledged has long been nudged or escalated). Pure: `now` is a parameter.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Delay before the n-th check (0-based), counted from the previous one; the last repeats. */
export const READ_CHECK_DELAYS_MS: readonly number[] = [2 * MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR];

/** A watch ends this long after its message was sent. */
export const READ_WATCH_SPAN_MS = 3 * 24 * HOUR;

/** The first check of a message sent at `sentAt`. */
export const firstReadCheckAt = (sentAt: number): number => sentAt + READ_CHECK_DELAYS_MS[0]!;

/**
 * The check after `checks` checks have been made (the latest at `now`), or null when the watch is over.
 * A platform's retry-after (ms) pushes it later, never earlier. The last check falls at the end of the
 * span at the latest, so a read in the last hours is still seen.
 */
export function nextReadCheckAt(sentAt: number, checks: number, now: number, retryAfterMs = 0): number | null {
  const end = sentAt + READ_WATCH_SPAN_MS;
  if (now >= end) return null;
  const delay = READ_CHECK_DELAYS_MS[Math.min(checks, READ_CHECK_DELAYS_MS.length - 1)]!;
  return Math.min(now + Math.max(delay, retryAfterMs), end);
}
