// What the workspace's campaign forms share: the hidden one-time `key` each form carries (the dedupe key
// of what it does, so a double submit acts once), the fields' schemas, and the answer after a post —
// a code in the redirect's query, read back as words (done, already done, or why it was refused).
import { z } from "zod";
import { dueSchema } from "../../../core/campaigns/campaign-file";
import { dueInstant } from "../../../core/campaigns/periods";
import type { Locale } from "../../../core/report-input";
import { t } from "../../../i18n";
import type { AssignmentResult, MoveResult } from "../../../services/campaigns/assignments";
import type { NudgeResult } from "../../../services/campaigns/nudges";

export { formKeySchema, newFormKey } from "./form-key";
export const reasonSchema = z.string().trim().min(1).max(1000);
/** A date (the end of that day, Beijing time) or a date and time, as the chat's /move and /extend take. */
export const dueFieldSchema = z
  .string()
  .trim()
  .pipe(dueSchema)
  .transform((v) => dueInstant(v));

/** The dedupe key of one form's action: the key is random per form, the prefix says where it came from. */
export const dedupeKeyOf = (action: string, key: string) => `web:campaign:${action}:${key}`;

const DONE = ["nudged", "nudge_none", "nudged_readers", "nudge_readers_none", "moved", "extended", "accepted", "returned", "duplicate"] as const;
const REFUSED = [
  "not_permitted",
  "unknown_assignment",
  "unknown_deliverable",
  "changed_meanwhile",
  "nothing_to_move",
  "already_received",
  "already_submitted",
  "already_accepted",
  "not_submitted",
  "reason_required",
  "invalid_deadline",
  "deadline_in_past",
  "same_deadline",
  "not_later",
] as const;
export type FlashCode = (typeof DONE)[number] | (typeof REFUSED)[number];
const flashSchema = z.object({
  done: z.enum([...DONE, ...REFUSED]),
  n: z.coerce.number().int().min(0).max(100_000).optional(),
  c: z.coerce.number().int().min(0).max(100_000).optional(),
});

export interface Flash {
  code: FlashCode;
  n?: number;
  c?: number;
}

/** The query of the page a post redirects to. */
export function flashQuery(f: Flash): string {
  const p = new URLSearchParams({ done: f.code });
  if (f.n !== undefined) p.set("n", String(f.n));
  if (f.c) p.set("c", String(f.c));
  return p.toString();
}

/** The flash a page was redirected with, if any (a hand-made or stale query shows nothing). */
export function readFlash(query: Record<string, string>): Flash | null {
  if (!query.done) return null;
  const parsed = flashSchema.safeParse(query);
  if (!parsed.success) return null;
  return { code: parsed.data.done, ...(parsed.data.n !== undefined ? { n: parsed.data.n } : {}), ...(parsed.data.c !== undefined ? { c: parsed.data.c } : {}) };
}

export const isRefusal = (f: Flash) => (REFUSED as readonly string[]).includes(f.code);

/** The flash in words (the chat's words where it has them). */
export function flashText(locale: Locale, f: Flash, cooldownHours: number): string {
  switch (f.code) {
    case "nudged":
    case "moved":
    case "extended":
    case "accepted":
    case "returned": {
      const text = t(locale, `workspace.campaigns.done_${f.code}`, { n: f.n ?? 0 });
      return f.c ? `${text} ${t(locale, "campaign.nudge_cooldown", { count: f.c, hours: cooldownHours })}` : text;
    }
    case "nudge_none":
      return f.c ? t(locale, "campaign.nudge_cooldown", { count: f.c, hours: cooldownHours }) : t(locale, "campaign.nudge_none");
    case "nudged_readers": {
      const text = t(locale, "reads.done_nudged", { n: f.n ?? 0 });
      return f.c ? `${text} ${t(locale, "campaign.nudge_cooldown", { count: f.c, hours: cooldownHours })}` : text;
    }
    case "nudge_readers_none":
      return f.c ? t(locale, "campaign.nudge_cooldown", { count: f.c, hours: cooldownHours }) : t(locale, "reads.nudge_none");
    case "duplicate":
      return t(locale, "campaign.reply.duplicate");
    case "not_permitted":
      return t(locale, "campaign.reply.not_coordinator");
    case "unknown_assignment":
    case "changed_meanwhile":
      return t(locale, `campaign.reply.${f.code}`);
    default:
      return t(locale, `campaign.refusal.${f.code}`);
  }
}

/** An assignment use case's result as a flash. */
export function assignmentFlash(result: AssignmentResult, done: "extended" | "accepted" | "returned"): Flash {
  if (result.status === "done") return { code: done };
  if (result.status === "duplicate") return { code: "duplicate" };
  return { code: result.reason };
}

export function moveFlash(result: MoveResult): Flash {
  if (result.status === "done") return { code: "moved", n: result.moved };
  if (result.status === "duplicate") return { code: "duplicate" };
  return { code: result.reason };
}

/** `readers`: the "nudge those who read" variant (its own words). */
export function nudgeFlash(result: NudgeResult, readers = false): Flash {
  if (result.status === "done")
    return result.nudged.length
      ? { code: readers ? "nudged_readers" : "nudged", n: result.nudged.length, c: result.coolingDown.length }
      : { code: readers ? "nudge_readers_none" : "nudge_none", c: result.coolingDown.length };
  if (result.status === "duplicate") return { code: "duplicate" };
  return { code: result.reason === "unknown_deliverable" ? "unknown_deliverable" : result.reason };
}
