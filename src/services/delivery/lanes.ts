// Delivery lanes: one row per chat (and `*` per platform, `method:<name>` per held API method, see
// method-holds.ts) holding pacing and hold state in the
// database, because Worker isolates share no memory. Writers bump `updated_at` (a version stamp
// that is also roughly a time) and reservations compare it, so two deliverers never take one slot.
import { and, eq, sql } from "drizzle-orm";
import { inJsonArray } from "../../db/chunk";
import type { Db } from "../../db/client";
import { deliveryLanes, type DeliveryLaneRow } from "../../db/schema";
import { EMPTY_LANE, type LaneState } from "./pacing";

/** The platform-wide lane (e.g. Telegram's ~30 messages a second per bot). */
export const GLOBAL_LANE = "*";

export function laneState(row: DeliveryLaneRow | undefined): LaneState {
  if (!row) return EMPTY_LANE;
  let recentSends: number[] = [];
  try {
    const parsed: unknown = JSON.parse(row.recentSends);
    if (Array.isArray(parsed)) recentSends = parsed.filter((n): n is number => typeof n === "number").sort((a, b) => a - b);
  } catch {
    // A damaged window only loosens pacing until the next send rewrites it.
  }
  return { nextAllowedAt: row.nextAllowedAt, heldUntil: row.heldUntil, recentSends };
}

export async function loadLanes(db: Db, platform: string, keys: string[]): Promise<Map<string, DeliveryLaneRow>> {
  if (keys.length === 0) return new Map();
  const rows = await db.select().from(deliveryLanes).where(and(eq(deliveryLanes.platform, platform), inJsonArray(deliveryLanes.laneKey, [...new Set(keys)])));
  return new Map(rows.map((r) => [r.laneKey, r]));
}

export async function loadLane(db: Db, platform: string, key: string): Promise<DeliveryLaneRow | undefined> {
  return (await loadLanes(db, platform, [key])).get(key);
}

/**
 * Takes the next slot of a lane if nobody changed it since `seen` was read; returns the new row, or
 * null when another deliverer got there first.
 */
export async function reserveLane(db: Db, platform: string, key: string, seen: DeliveryLaneRow | undefined, next: LaneState, now: number): Promise<DeliveryLaneRow | null> {
  const values = { nextAllowedAt: next.nextAllowedAt, heldUntil: next.heldUntil, holdReason: next.heldUntil === null ? null : (seen?.holdReason ?? null), recentSends: JSON.stringify(next.recentSends) };
  if (!seen) {
    const [row] = await db
      .insert(deliveryLanes)
      .values({ platform, laneKey: key, ...values, updatedAt: now })
      .onConflictDoNothing()
      .returning();
    return row ?? null;
  }
  const [row] = await db
    .update(deliveryLanes)
    .set({ ...values, updatedAt: Math.max(now, seen.updatedAt + 1) })
    .where(and(eq(deliveryLanes.platform, platform), eq(deliveryLanes.laneKey, key), eq(deliveryLanes.updatedAt, seen.updatedAt)))
    .returning();
  return row ?? null;
}

/** Holds a lane until `until` (a failure's backoff or a platform's retry_after); never shortens a hold. */
export function holdLaneStatement(db: Db, platform: string, key: string, until: number, reason: string, now: number) {
  return db
    .insert(deliveryLanes)
    .values({ platform, laneKey: key, heldUntil: until, holdReason: reason.slice(0, 200), updatedAt: now })
    .onConflictDoUpdate({
      target: [deliveryLanes.platform, deliveryLanes.laneKey],
      set: {
        heldUntil: sql`max(coalesce(${deliveryLanes.heldUntil}, 0), ${until})`,
        holdReason: reason.slice(0, 200),
        updatedAt: sql`max(${now}, ${deliveryLanes.updatedAt} + 1)`,
      },
    });
}
