// Which sent messages are watched for readers, and the one statement that starts a watch: lead cards
// and campaign reminders posted on a platform whose adapter reports readers. The outbox adds it to the
// batch that settles the send, so a watch costs the hot path one insert and no round trip.
import { newId } from "../../core/ids";
import { firstReadCheckAt } from "../../core/read-watch";
import type { ChatAdapter } from "../../chat/types";
import { readWatches } from "../../db/schema";
import type { ServiceDeps } from "../deps";

/** What a watched message is about: a lead (its card) or a campaign assignment (a reminder or nudge). */
export interface WatchedEntity {
  entityType: "lead" | "assignment";
  entityId: string;
}

export interface NewReadWatch extends WatchedEntity {
  platform: string;
  chatId: string;
  messageId: string;
  sentAt: number;
}

/** The entity a sent outbox row is about, if its readers are worth watching on this adapter (else null). */
export function watchedEntityOf(
  adapter: Pick<ChatAdapter, "readers" | "reportsReadersOf">,
  row: { kind: string; leadId: string | null },
  payload: { watchReads?: WatchedEntity },
  messageId: string,
): WatchedEntity | null {
  // A message the platform keeps no read status for would be asked about for three days for nothing.
  if (!adapter.readers || adapter.reportsReadersOf?.(messageId) === false) return null;
  if (row.kind === "card" && row.leadId) return { entityType: "lead", entityId: row.leadId };
  return payload.watchReads ?? null;
}

/** Starts watching a sent message (a second start for the same message is ignored). */
export function readWatchStatement(deps: ServiceDeps, w: NewReadWatch) {
  return deps.db
    .insert(readWatches)
    .values({ id: newId("rw"), platform: w.platform, chatId: w.chatId, messageId: w.messageId, entityType: w.entityType, entityId: w.entityId, sentAt: w.sentAt, nextCheckAt: firstReadCheckAt(w.sentAt), checks: 0 })
    .onConflictDoNothing();
}
