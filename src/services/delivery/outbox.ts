// Durable delivery of chat messages. A change enqueues its messages in the same batch as its rows;
// delivery claims due rows (UPDATE … RETURNING), sends them through the platform adapter within the
// platform's rate limits, and marks them sent or reschedules them. An outage delays messages; it
// never drops or duplicates them (a row is marked sent in the same step that records the message id).
import { and, asc, count, eq, gt, inArray, lte, or, sql, desc } from "drizzle-orm";
import { newId } from "../../core/ids";
import { outbox, type OutboxRow } from "../../db/schema";
import { ChatDeliveryError, type ChatAdapters, type OutgoingMessage, type Platform } from "../../chat/types";
import type { ServiceDeps } from "../deps";

export interface EnqueueInput {
  dedupeKey: string;
  platform: Platform;
  chatId: string;
  kind: "card" | "text" | "prompt";
  leadId?: string | null;
  /** For text and prompt: the message. For card: `{ leadId }`; the card is rendered at delivery, so it is always current. */
  payload: unknown;
  /** Delay delivery until then (ms); default now. */
  notBefore?: number;
}

/** The insert statement, for the caller's batch. A repeated dedupe key is ignored. */
export function enqueueStatement(deps: ServiceDeps, input: EnqueueInput) {
  const now = deps.now().getTime();
  return deps.db
    .insert(outbox)
    .values({
      id: newId("out"),
      dedupeKey: input.dedupeKey,
      platform: input.platform,
      chatId: input.chatId,
      kind: input.kind,
      leadId: input.leadId ?? null,
      payload: JSON.stringify(input.payload),
      status: "pending",
      attempts: 0,
      nextAttemptAt: input.notBefore ?? now,
      createdAt: now,
    })
    .onConflictDoNothing({ target: outbox.dedupeKey });
}

/** Rate limits per platform (documented by Telegram and Slack; kept a little under the maxima). */
export const RATE_LIMITS: Record<Platform, { perChatIntervalMs: number; perGroupPerMinute: number | null; globalPerSecond: number | null }> = {
  telegram: { perChatIntervalMs: 1000, perGroupPerMinute: 20, globalPerSecond: 30 },
  slack: { perChatIntervalMs: 1000, perGroupPerMinute: null, globalPerSecond: null },
  console: { perChatIntervalMs: 0, perGroupPerMinute: null, globalPerSecond: null },
};

const CLAIM_MS = 60_000;
const MAX_BACKOFF_MS = 15 * 60_000;

/** Exponential backoff from 2 s to 15 min; a platform's retry_after wins when longer. */
export function retryDelayMs(attempts: number, retryAfterSeconds?: number): number {
  const backoff = Math.min(MAX_BACKOFF_MS, 2000 * 2 ** Math.max(0, attempts - 1));
  return Math.max(backoff, (retryAfterSeconds ?? 0) * 1000);
}

export interface OutboxRenderer {
  /** Renders a lead card for a chat at delivery time, or null if the lead no longer needs one. */
  card(leadId: string, platform: Platform, chatId: string): Promise<OutgoingMessage | null>;
  /** Existing card message in that chat, if one was sent. */
  cardMessageId(leadId: string, platform: Platform, chatId: string): Promise<string | null>;
  /** Records where a card was posted (for later edits). */
  cardSent(leadId: string, platform: Platform, chatId: string, messageId: string): Promise<void>;
  /** Called after a prompt is posted so replies can be matched to it. */
  promptSent?(promptId: string, messageId: string): Promise<void>;
}

export interface DeliveryDeps extends ServiceDeps {
  adapters: ChatAdapters;
  renderer: OutboxRenderer;
}

export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
  deferred: number;
  /** Earliest time another row becomes due (ms), if any is pending. */
  nextDueAt: number | null;
}

async function claimDue(deps: ServiceDeps, now: number, limit: number): Promise<OutboxRow[]> {
  const due = deps.db
    .select({ id: outbox.id })
    .from(outbox)
    .where(or(and(eq(outbox.status, "pending"), lte(outbox.nextAttemptAt, now)), and(eq(outbox.status, "sending"), lte(outbox.claimedUntil, now))))
    .orderBy(asc(outbox.nextAttemptAt), asc(outbox.createdAt), asc(sql`rowid`))
    .limit(limit);
  const rows = await deps.db
    .update(outbox)
    .set({ status: "sending", claimedUntil: now + CLAIM_MS, attempts: sql`${outbox.attempts} + 1` })
    .where(inArray(outbox.id, due))
    .returning({ row: outbox, seq: sql<number>`rowid` });
  // Keep each chat's messages in the order they were enqueued (rowid breaks same-millisecond ties).
  return rows.sort((a, b) => a.row.createdAt - b.row.createdAt || a.seq - b.seq).map((r) => r.row);
}

/** When this chat may receive its next message, given what was sent recently. */
async function nextAllowedAt(deps: ServiceDeps, row: OutboxRow, now: number, sentThisRound: Map<string, number[]>): Promise<number> {
  const limits = RATE_LIMITS[row.platform as Platform] ?? RATE_LIMITS.console;
  if (limits.perChatIntervalMs === 0) return now;
  const key = `${row.platform}:${row.chatId}`;
  const recentHere = sentThisRound.get(key) ?? [];
  const [last] = await deps.db
    .select({ sentAt: outbox.sentAt })
    .from(outbox)
    .where(and(eq(outbox.platform, row.platform), eq(outbox.chatId, row.chatId), eq(outbox.status, "sent")))
    .orderBy(desc(outbox.sentAt))
    .limit(1);
  const lastSent = Math.max(last?.sentAt ?? 0, ...recentHere);
  let allowed = lastSent + limits.perChatIntervalMs;
  // Telegram groups and supergroups have negative chat ids and a per-minute cap.
  if (limits.perGroupPerMinute && row.chatId.startsWith("-")) {
    const [{ n } = { n: 0 }] = await deps.db
      .select({ n: count() })
      .from(outbox)
      .where(and(eq(outbox.platform, row.platform), eq(outbox.chatId, row.chatId), eq(outbox.status, "sent"), gt(outbox.sentAt, now - 60_000)));
    if (n >= limits.perGroupPerMinute) allowed = Math.max(allowed, now + 3000);
  }
  if (limits.globalPerSecond) {
    const [{ n } = { n: 0 }] = await deps.db
      .select({ n: count() })
      .from(outbox)
      .where(and(eq(outbox.platform, row.platform), eq(outbox.status, "sent"), gt(outbox.sentAt, now - 1000)));
    if (n >= limits.globalPerSecond) allowed = Math.max(allowed, now + 1000);
  }
  return allowed;
}

async function reschedule(deps: ServiceDeps, row: OutboxRow, at: number, error: string | null, countAttempt: boolean) {
  await deps.db
    .update(outbox)
    .set({ status: "pending", nextAttemptAt: at, claimedUntil: null, lastError: error, ...(countAttempt ? {} : { attempts: row.attempts - 1 }) })
    .where(and(eq(outbox.id, row.id), eq(outbox.status, "sending")));
}

async function resolveMessage(deps: DeliveryDeps, row: OutboxRow): Promise<{ message: OutgoingMessage | null; editOf: string | null }> {
  const payload = JSON.parse(row.payload) as { leadId?: string; message?: OutgoingMessage };
  if (row.kind === "card") {
    const leadId = payload.leadId ?? row.leadId!;
    const message = await deps.renderer.card(leadId, row.platform as Platform, row.chatId);
    const editOf = await deps.renderer.cardMessageId(leadId, row.platform as Platform, row.chatId);
    return { message, editOf };
  }
  return { message: payload.message ?? null, editOf: null };
}

/** Delivers what is due now; returns counts and when the next row is due. */
export async function deliverDueMessages(deps: DeliveryDeps, limit = 50): Promise<DeliveryReport> {
  const now = deps.now().getTime();
  const report: DeliveryReport = { sent: 0, retried: 0, failed: 0, deferred: 0, nextDueAt: null };
  const rows = await claimDue(deps, now, limit);
  const sentThisRound = new Map<string, number[]>();
  const blockedChats = new Set<string>();

  for (const row of rows) {
    const chatKey = `${row.platform}:${row.chatId}`;
    const adapter = deps.adapters[row.platform as Platform];
    if (blockedChats.has(chatKey)) {
      // An earlier message to this chat could not go yet; later ones wait behind it to keep order.
      await reschedule(deps, row, now + 1000, row.lastError, false);
      report.deferred++;
      continue;
    }
    if (!adapter) {
      await reschedule(deps, row, now + 60_000, `no adapter configured for ${row.platform}`, true);
      report.retried++;
      blockedChats.add(chatKey);
      continue;
    }
    const allowedAt = await nextAllowedAt(deps, row, deps.now().getTime(), sentThisRound);
    if (allowedAt > deps.now().getTime()) {
      await reschedule(deps, row, allowedAt, row.lastError, false);
      report.deferred++;
      blockedChats.add(chatKey);
      continue;
    }
    try {
      const { message, editOf } = await resolveMessage(deps, row);
      let messageId: string | null = null;
      if (message) {
        if (editOf) {
          await adapter.edit({ chatId: row.chatId }, editOf, message);
          messageId = editOf;
        } else {
          messageId = (await adapter.send({ chatId: row.chatId }, message)).messageId;
          if (row.kind === "card" && row.leadId) await deps.renderer.cardSent(row.leadId, row.platform as Platform, row.chatId, messageId);
          if (row.kind === "prompt") {
            const promptId = (JSON.parse(row.payload) as { promptId?: string }).promptId;
            if (promptId) await deps.renderer.promptSent?.(promptId, messageId);
          }
        }
      }
      const sentAt = deps.now().getTime();
      await deps.db.update(outbox).set({ status: "sent", sentAt, sentMessageId: messageId, claimedUntil: null, lastError: null }).where(eq(outbox.id, row.id));
      sentThisRound.set(chatKey, [...(sentThisRound.get(chatKey) ?? []), sentAt]);
      report.sent++;
    } catch (err) {
      const retryable = err instanceof ChatDeliveryError ? err.retryable : true;
      const description = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 500) : String(err);
      if (retryable) {
        const retryAfter = err instanceof ChatDeliveryError ? err.retryAfterSeconds : undefined;
        await reschedule(deps, row, deps.now().getTime() + retryDelayMs(row.attempts, retryAfter), description, true);
        report.retried++;
        blockedChats.add(chatKey);
        deps.log.warn("chat delivery postponed", { outboxId: row.id, platform: row.platform, attempts: row.attempts, error: description });
      } else {
        await deps.db.update(outbox).set({ status: "failed", claimedUntil: null, lastError: description }).where(eq(outbox.id, row.id));
        report.failed++;
        deps.log.error("chat delivery failed permanently", { outboxId: row.id, platform: row.platform, error: description });
      }
    }
  }

  const [next] = await deps.db
    .select({ at: outbox.nextAttemptAt })
    .from(outbox)
    .where(eq(outbox.status, "pending"))
    .orderBy(asc(outbox.nextAttemptAt))
    .limit(1);
  report.nextDueAt = next?.at ?? null;
  return report;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Delivers until nothing is due within `maxWaitMs` or `budgetMs` is spent: called right after a
 * change (so a card reaches the chat within seconds) and by every scheduler tick.
 */
export async function drainOutbox(deps: DeliveryDeps, options: { budgetMs: number; maxWaitMs: number }): Promise<DeliveryReport> {
  const started = Date.now();
  const total: DeliveryReport = { sent: 0, retried: 0, failed: 0, deferred: 0, nextDueAt: null };
  for (;;) {
    const r = await deliverDueMessages(deps);
    total.sent += r.sent;
    total.retried += r.retried;
    total.failed += r.failed;
    total.deferred += r.deferred;
    total.nextDueAt = r.nextDueAt;
    if (r.nextDueAt === null) break;
    const wait = r.nextDueAt - deps.now().getTime();
    if (wait > options.maxWaitMs || Date.now() - started + Math.max(0, wait) > options.budgetMs) break;
    if (wait > 0) await sleep(wait);
  }
  return total;
}
