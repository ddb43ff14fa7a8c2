// Holds on a whole platform API method (Slack's rate limits are per method and workspace, not per
// channel): a 429 with Retry-After for chat.postMessage in one channel stops chat.postMessage to every
// channel until it lapses. Stored as a delivery lane with a synthetic key (`method:<name>`, which no
// chat id can be), so every deliverer sees it: Worker isolates, the Workers cron and the Node loop.
import type { ChatAdapter } from "../../chat/types";
import type { Db } from "../../db/client";
import type { DeliveryLaneRow } from "../../db/schema";
import { holdLaneStatement } from "./lanes";

const PREFIX = "method:";

/** The lane key holding one API method of a platform. */
export const methodLaneKey = (method: string) => `${PREFIX}${method}`;

/** The method lanes a round must read for this adapter (none for platforms that hold per chat only). */
export function methodLaneKeys(adapter: ChatAdapter): string[] {
  return adapter.methods ? [methodLaneKey(adapter.methods.send), methodLaneKey(adapter.methods.edit)] : [];
}

/** Until when the method behind this call is held (0: not held), from the lanes read for the round. */
export function methodHeldUntil(lanes: ReadonlyMap<string, DeliveryLaneRow>, adapter: ChatAdapter, call: "send" | "edit"): number {
  const method = adapter.methods?.[call];
  return method ? (lanes.get(methodLaneKey(method))?.heldUntil ?? 0) : 0;
}

/**
 * Holds a method until `until` (never shortening a hold), and notes it in the round's lanes so the
 * round's other workers stop calling it at once; other deliverers see it on their next read.
 */
export function holdMethod(db: Db, lanes: Map<string, DeliveryLaneRow>, input: { platform: string; method: string; until: number; reason: string; now: number }) {
  const key = methodLaneKey(input.method);
  const seen = lanes.get(key);
  lanes.set(key, {
    platform: input.platform,
    laneKey: key,
    nextAllowedAt: seen?.nextAllowedAt ?? 0,
    heldUntil: Math.max(seen?.heldUntil ?? 0, input.until),
    holdReason: input.reason,
    recentSends: seen?.recentSends ?? "[]",
    updatedAt: Math.max(input.now, (seen?.updatedAt ?? 0) + 1),
  });
  return holdLaneStatement(db, input.platform, key, input.until, input.reason, input.now);
}
