// Refused lead commands are logged (once per dedupe key): who tried what, and why not.
import type { Platform } from "../../chat/types";
import { events, type NewEventRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { eventRow, isUniqueViolation, type Actor } from "../events";

export async function logRefusalRow(deps: ServiceDeps, row: NewEventRow) {
  try {
    await deps.db.insert(events).values(row);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
}

export async function logRefusal(deps: ServiceDeps, actor: Actor, entityId: string, attempted: string, reason: string, dedupeKey: string | null) {
  try {
    await deps.db.insert(events).values(
      eventRow(actor, { occurredAt: deps.now().getTime(), entityType: "lead", entityId, action: "lead.refused", data: JSON.stringify({ attempted, reason }), dedupeKey }),
    );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
}

/** A press or command from someone who is not an enrolled member: refused, and the attempt logged. */
export async function logUnknownUser(deps: ServiceDeps, input: { platform: Platform; platformUserId: string; attempted: string; leadId?: string | null; dedupeKey: string }) {
  await logRefusal(
    deps,
    { type: "public", id: `${input.platform}:${input.platformUserId}`, role: null, platform: input.platform },
    input.leadId ?? "-",
    input.attempted,
    "not_enrolled",
    input.dedupeKey,
  );
}
