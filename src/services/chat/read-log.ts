// A member's read of leads or members from chat, logged like a change (once per delivery of the command).
import { events } from "../../db/schema";
import { eventRow, isUniqueViolation, type Actor } from "../events";
import type { ServiceDeps } from "../deps";

export async function logRead(deps: ServiceDeps, actor: Actor, e: { entityType: string; entityId: string; action: string; data: Record<string, unknown>; dedupeKey: string }) {
  try {
    await deps.db.insert(events).values(eventRow(actor, { occurredAt: deps.now().getTime(), entityType: e.entityType, entityId: e.entityId, action: e.action, data: JSON.stringify(e.data), dedupeKey: `${e.dedupeKey}:read` }));
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
  }
}
