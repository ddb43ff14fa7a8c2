// Durable delivery of chat messages. A change enqueues its messages in the same batch as its rows;
// delivery (engine.ts) sends each chat's messages strictly in order within the platform's limits,
// holds a chat after a failure while other chats flow, and marks rows sent or reschedules them.
// An outage delays messages; it never drops them, and duplicates only where a platform cannot tell
// (Telegram: one call wide, see sendClaimed in engine.ts). Modules: pacing.ts (limits as arithmetic),
// lanes.ts (pacing state in delivery_lanes), engine.ts (rounds), loop.ts (Node), retention.ts,
// payload.ts (sealing).
import { sql } from "drizzle-orm";
import { newId } from "../../core/ids";
import { outbox } from "../../db/schema";
import { PLATFORMS, type Platform } from "../../chat/types";
import type { ServiceDeps } from "../deps";
import { deliverPlatformRound } from "./engine";
import { addReports, emptyReport, PARKED, type DeliveryDeps, type DeliveryReport } from "./round-context";
import { backoffMs, DEFAULT_TUNING } from "./pacing";
import { sealPayload } from "./payload";
import { chunkedStatements } from "../../db/chunk";
import { rememberQueued } from "./wake-plan";

export { addReports, emptyReport, PARKED, type DeliveryDeps, type DeliveryReport, type OutboxRenderer } from "./round-context";
export { DEFAULT_TUNING, scaledTuning, type DeliveryTuning, type PlatformPacing } from "./pacing";
export { queuedBy, type QueuedLane } from "./wake-plan";

export interface EnqueueInput {
  dedupeKey: string;
  platform: Platform;
  chatId: string;
  /** digest: a tipster's replies, rendered at delivery from those not relayed yet (see lead-cards.ts). */
  kind: "card" | "text" | "prompt" | "digest" | "batch_card";
  leadId?: string | null;
  /** For text and prompt: the message. For card: `{ leadId }`; the card is rendered at delivery, so it is always current. */
  payload: unknown;
  /** Delay delivery until then (ms); default now. A later row of the same chat waits behind it. */
  notBefore?: number;
  /**
   * While a row with this key is pending, another one is dropped (the pending one renders current
   * state when it goes). Cards use `card:<lead>:<platform>:<chat>`.
   */
  coalesceKey?: string;
  /** Row id; needed up front when the payload is sealed (the id is part of the seal). */
  id?: string;
  /** The payload already sealed for `id` (see sealEnqueueInput); stored instead of `payload`. */
  sealedPayload?: string;
}

/** The coalescing key of a card in one chat: at most one pending card row (post or edit) per card. */
export const cardCoalesceKey = (leadId: string, platform: string, chatId: string) => `card:${leadId}:${platform}:${chatId}`;

/**
 * The insert statement, for the caller's batch. A repeated dedupe key, or a coalescing key that is
 * already pending, is ignored. The row gets the next `seq` (its place in its chat's order) and is
 * stored waiting ("parked") when an earlier row of the same chat is still live, so only chat heads
 * are ever due. Without `sealedPayload` the payload is stored as plain JSON until it is sent:
 * callers that carry citizen text should pass sealEnqueueInput(input).
 */
export function enqueueStatement(deps: ServiceDeps, input: EnqueueInput) {
  return enqueueManyStatement(deps, [input]);
}

/** A live row of this chat exists: a new row must wait behind it (evaluated inside the INSERT). */
const laneIsLive = (input: EnqueueInput) =>
  sql`EXISTS (SELECT 1 FROM outbox o WHERE o.platform = ${input.platform} AND o.chat_id = ${input.chatId} AND o.status IN ('pending', 'sending'))`;

/**
 * Many rows in one multi-row INSERT (the tick's reminders: one statement instead of one per row),
 * under the rules above. A row behind an earlier one of its chat in the same statement is stored
 * parked outright; the first row of each chat checks the table, inside the INSERT, so it is atomic with
 * the settle that un-parks a chat's next row. `seq` grows with the position (max(rowid) is O(1);
 * statements of one batch see each other, so seq grows in enqueue order). A first row dropped on its
 * dedupe key would leave the ones behind it parked with no live head; the tick's unparkStrandedHeads
 * job frees such a chat.
 */
/** enqueueManyStatement cut into statements of at most 100 bound parameters (D1), for one batch. */
export function enqueueManyStatements(deps: ServiceDeps, inputs: EnqueueInput[]) {
  // Ids fixed once, so measuring a piece and building it agree on the rows.
  const fixed = inputs.map((input) => ({ ...input, id: input.id ?? newId("out") }));
  return chunkedStatements(fixed, (part) => enqueueManyStatement(deps, part));
}

export function enqueueManyStatement(deps: ServiceDeps, inputs: EnqueueInput[]) {
  if (inputs.length === 0) throw new Error("enqueueManyStatement: no rows");
  const now = deps.now().getTime();
  const lanesSeen = new Set<string>();
  // Which lanes this statement queues into, for notifyOutbox(queuedBy(statements)) (wake-plan.ts).
  const queued = inputs.map((input) => ({ platform: input.platform, chatId: input.chatId, notBefore: input.notBefore ?? now }));
  const statement = deps.db
    .insert(outbox)
    .values(
      inputs.map((input, i) => {
        const dueAt = input.notBefore ?? now;
        const lane = `${input.platform}\u0000${input.chatId}`;
        const first = !lanesSeen.has(lane);
        lanesSeen.add(lane);
        return {
          id: input.id ?? newId("out"),
          dedupeKey: input.dedupeKey,
          platform: input.platform,
          chatId: input.chatId,
          kind: input.kind,
          leadId: input.leadId ?? null,
          payload: input.sealedPayload ?? JSON.stringify(input.payload),
          status: "pending",
          attempts: 0,
          nextAttemptAt: first ? sql`(CASE WHEN ${laneIsLive(input)} THEN ${dueAt + PARKED} ELSE ${dueAt} END)` : dueAt + PARKED,
          createdAt: now,
          // Whether or not SQLite evaluates this before inserting any row, it grows with i.
          seq: sql`(SELECT coalesce(max(rowid), 0) + ${i + 1} FROM outbox)`,
          coalesceKey: input.coalesceKey ?? null,
        };
      }),
    )
    .onConflictDoNothing();
  return rememberQueued(statement, queued);
}

/**
 * enqueueManyStatement's rows (same rules: chat heads checked inside the INSERT, the rest parked, seq by
 * position, repeated dedupe or pending coalescing keys ignored) as one statement binding one parameter
 * whatever the number of rows: the rows as a JSON array read by json_each (libSQL and D1 both have it).
 * For large batches (the campaign tick's pages), where building and preparing a statement per hundred
 * parameters costs more than the writes.
 */
export function enqueueManyJsonStatement(deps: ServiceDeps, inputs: EnqueueInput[]) {
  if (inputs.length === 0) throw new Error("enqueueManyJsonStatement: no rows");
  const now = deps.now().getTime();
  const lanesSeen = new Set<string>();
  const rows = inputs.map((input) => {
    const lane = `${input.platform}\u0000${input.chatId}`;
    const first = !lanesSeen.has(lane);
    lanesSeen.add(lane);
    const payload = input.sealedPayload ?? JSON.stringify(input.payload);
    return [input.id ?? newId("out"), input.dedupeKey, input.platform, input.chatId, input.kind, input.leadId ?? null, payload, input.notBefore ?? now, first ? 1 : 0, input.coalesceKey ?? null];
  });
  const at = (i: number) => sql.raw(`json_extract(value, '$[${i}]')`);
  return deps.db.run(sql`INSERT INTO outbox (id, dedupe_key, platform, chat_id, kind, lead_id, payload, status, attempts, next_attempt_at, created_at, seq, coalesce_key)
    SELECT ${at(0)}, ${at(1)}, ${at(2)}, ${at(3)}, ${at(4)}, ${at(5)}, ${at(6)}, 'pending', 0,
      CASE WHEN ${at(8)} = 1 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.platform = ${at(2)} AND o.chat_id = ${at(3)} AND o.status IN ('pending', 'sending'))
        THEN ${at(7)} ELSE ${at(7)} + ${PARKED} END,
      ${now}, (SELECT coalesce(max(rowid), 0) FROM outbox) + key + 1, ${at(9)}
    FROM json_each(${JSON.stringify(rows)}) WHERE true ON CONFLICT DO NOTHING`);
}

/**
 * The input with its payload sealed at rest (AES-GCM bound to the row id), for enqueueStatement:
 * `enqueueStatement(deps, await sealEnqueueInput(deps, input))`. (A statement cannot come out of a
 * promise: awaiting a drizzle query runs it.)
 */
export async function sealEnqueueInput(deps: ServiceDeps, input: EnqueueInput): Promise<EnqueueInput> {
  const id = input.id ?? newId("out");
  return { ...input, id, sealedPayload: await sealPayload(deps.keys, id, input.payload) };
}

/** Rate limits per platform (documented by Telegram and Slack), as used in production. */
export const RATE_LIMITS: Record<Platform, { perChatIntervalMs: number; perGroupPerMinute: number | null; globalPerSecond: number | null }> = Object.fromEntries(
  PLATFORMS.map((p) => {
    const v = DEFAULT_TUNING.pacing[p];
    return [p, { perChatIntervalMs: v.perChatIntervalMs, perGroupPerMinute: v.groupMax, globalPerSecond: v.globalMax }];
  }),
) as never;

/** Exponential backoff from 2 s to 15 min; a platform's retry_after wins when longer. */
export function retryDelayMs(attempts: number, retryAfterSeconds?: number): number {
  return backoffMs(DEFAULT_TUNING, attempts, retryAfterSeconds);
}

/** Platforms with an adapter, each delivered on its own so one stalling platform never holds another. */
export const deliveredPlatforms = (deps: DeliveryDeps): Platform[] => PLATFORMS.filter((p) => deps.adapters[p]);

/** One round on every platform at once (deps.now()); returns counts and when the next row is due. */
export async function deliverDueMessages(deps: DeliveryDeps, limit?: number): Promise<DeliveryReport> {
  const d: DeliveryDeps = limit ? { ...deps, tuning: { ...deps.tuning, batchSize: limit } } : deps;
  const reports = await Promise.all(deliveredPlatforms(d).map((p) => deliverPlatformRound(d, p)));
  return reports.reduce(addReports, emptyReport());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Bounded delivery (Workers' waitUntil, the admin CLI, tests): each platform delivers while rows come
 * due within `maxWaitMs`, sleeping until the next due time, and stops when `budgetMs` is spent.
 */
export async function drainOutbox(deps: DeliveryDeps, options: { budgetMs: number; maxWaitMs: number }): Promise<DeliveryReport> {
  const started = Date.now();
  const idleFloor = deps.tuning?.idleFloorMs ?? DEFAULT_TUNING.idleFloorMs;
  const lookaheadMs = deps.tuning?.prepareAheadMs ?? DEFAULT_TUNING.prepareAheadMs;
  const drainPlatform = async (platform: Platform) => {
    const total = emptyReport();
    for (;;) {
      const r = await deliverPlatformRound(deps, platform, { lookaheadMs });
      addReports(total, r);
      total.nextDueAt = r.nextDueAt;
      if (r.nextDueAt === null) break;
      const progressed = r.sent + r.retried + r.failed + r.deferred > 0;
      const wait = Math.max(r.nextDueAt - lookaheadMs - deps.now().getTime(), progressed ? 0 : idleFloor);
      if (wait > options.maxWaitMs || Date.now() - started + wait > options.budgetMs) break;
      if (wait > 0) await sleep(wait);
    }
    return total;
  };
  const reports = await Promise.all(deliveredPlatforms(deps).map(drainPlatform));
  return reports.reduce(addReports, emptyReport());
}
