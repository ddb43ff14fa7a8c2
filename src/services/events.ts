// Who did something, and the append-only event row that records it. Every use case writes its event
// through here, so the log has one shape whatever the platform.
import type { NewEventRow } from "../db/schema";

export interface Actor {
  type: "public" | "member" | "system";
  id?: string | null;
  role?: string | null;
  /** web | api | telegram | slack | cli | scheduler | service */
  platform: string;
  /** Chat message id, update id or similar reference on that platform. */
  platformRef?: string | null;
}

export function eventRow(actor: Actor, e: Omit<NewEventRow, "actorType" | "actorId" | "actorRole" | "platform" | "platformRef">): NewEventRow {
  return { ...e, actorType: actor.type, actorId: actor.id ?? null, actorRole: actor.role ?? null, platform: actor.platform, platformRef: actor.platformRef ?? null };
}

/** True when a write failed on a unique constraint: for dedupe keys, "this already happened". */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) if (/UNIQUE constraint failed/i.test(String((e as Error).message ?? e))) return true;
  return false;
}

/** A JSON array column read back as strings; anything malformed reads as empty. */
export function parseJsonList(json: string): string[] {
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}
