// Keeps delivery history from growing without bound: sent and failed rows older than the retention
// period are deleted in bounded batches (found through outbox_due_idx, where a settled row's
// next_attempt_at is its settle time), and idle lanes are dropped. Runs from the scheduler tick.
import { and, inArray, isNull, lt, or } from "drizzle-orm";
import { deliveryLanes, outbox } from "../../db/schema";
import type { ServiceDeps } from "../deps";

export interface RetentionOptions {
  retentionDays: number;
  /** Rows per DELETE statement, and statements per call: a tick does bounded work and the next one continues. */
  batchSize?: number;
  maxBatches?: number;
}

export const DEFAULT_OUTBOX_RETENTION_DAYS = 30;

export async function purgeDeliveredMessages(deps: ServiceDeps, options: RetentionOptions): Promise<{ deleted: number; lanesDeleted: number }> {
  const cutoff = deps.now().getTime() - options.retentionDays * 86_400_000;
  const batchSize = options.batchSize ?? 500;
  let deleted = 0;
  for (let i = 0; i < (options.maxBatches ?? 10); i++) {
    const old = deps.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(inArray(outbox.status, ["sent", "failed"]), lt(outbox.nextAttemptAt, cutoff)))
      .limit(batchSize);
    const res = await deps.db.delete(outbox).where(inArray(outbox.id, old));
    const n = res.rowsAffected ?? 0;
    deleted += n;
    if (n < batchSize) break;
  }
  // A lane with no hold and no recent activity carries no information: it is recreated on the next send.
  const lanes = await deps.db
    .delete(deliveryLanes)
    .where(and(lt(deliveryLanes.updatedAt, cutoff), lt(deliveryLanes.nextAllowedAt, cutoff), or(isNull(deliveryLanes.heldUntil), lt(deliveryLanes.heldUntil, cutoff))));
  return { deleted, lanesDeleted: lanes.rowsAffected ?? 0 };
}
