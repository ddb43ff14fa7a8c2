// The shapes a delivery round shares: its dependencies and renderer, its report, its per-round
// context, and the parked-row offset.
import type { ChatAdapter, OutgoingMessage, Platform } from "../../chat/types";
import type { DeliveryLaneRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import type { DeliveryTuning } from "./pacing";

/** Added to a waiting row's own due time (which stays recoverable); far above any real time in ms. */
export const PARKED = 2 ** 52;

export interface OutboxRenderer {
  /** Renders a lead card for a chat at delivery time, or null if the lead no longer needs one. */
  card(leadId: string, platform: Platform, chatId: string): Promise<OutgoingMessage | null>;
  /** Existing card message in that chat, if one was sent. */
  cardMessageId(leadId: string, platform: Platform, chatId: string): Promise<string | null>;
  /** Records where a card was posted (for later edits). */
  cardSent(leadId: string, platform: Platform, chatId: string, messageId: string): Promise<void>;
  /** Called after a prompt is posted so replies can be matched to it. */
  promptSent?(promptId: string, messageId: string): Promise<void>;
  /**
   * A digest of a tipster's replies not relayed yet, rendered at delivery time (so replies that
   * arrive while it waits join it), or null when there is nothing left to relay.
   */
  digest?(digest: { reportId: string; leadId: string; evidenceSince?: number }, platform: Platform, chatId: string): Promise<{ message: OutgoingMessage; relayed: string[] } | null>;
  /** Marks the replies a digest carried as relayed, once it is posted (and queues the next if more wait). */
  digestSent?(digest: { reportId: string; leadId: string }, relayed: string[], platform: Platform, chatId: string): Promise<void>;
  /** A screening batch's card for one team, rendered at delivery (see leads/batch-cards.ts), and where it already sits. */
  batchCard?(ref: { batchId: string; teamId: string }): Promise<{ message: OutgoingMessage | null; editOf: string | null }>;
  /** Records where a batch card was posted, so acknowledging the batch edits it in place. */
  batchCardSent?(ref: { batchId: string; teamId: string }, messageId: string): Promise<void>;
}

export interface DeliveryDeps extends ServiceDeps {
  adapters: Partial<Record<Platform, ChatAdapter>>;
  renderer: OutboxRenderer;
  /** Pacing, lease and batch constants; production uses DEFAULT_TUNING. */
  tuning?: Partial<DeliveryTuning>;
}

export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
  deferred: number;
  /** Earliest time another row becomes due (ms), if any is pending. */
  nextDueAt: number | null;
}

export const emptyReport = (): DeliveryReport => ({ sent: 0, retried: 0, failed: 0, deferred: 0, nextDueAt: null });

export function addReports(into: DeliveryReport, r: DeliveryReport): DeliveryReport {
  into.sent += r.sent;
  into.retried += r.retried;
  into.failed += r.failed;
  into.deferred += r.deferred;
  into.nextDueAt = into.nextDueAt === null ? r.nextDueAt : r.nextDueAt === null ? into.nextDueAt : Math.min(into.nextDueAt, r.nextDueAt);
  return into;
}

export interface RoundContext {
  deps: DeliveryDeps;
  tuning: DeliveryTuning;
  platform: Platform;
  adapter: ChatAdapter;
  report: DeliveryReport;
  lanes: Map<string, DeliveryLaneRow>;
  lookaheadMs: number;
}

export interface RoundOptions {
  /**
   * Heads due within this many ms are claimed and rendered now, then sent exactly when their lane
   * allows, so per-message overhead does not push the schedule back (the Node loop and drains use
   * tuning.prepareAheadMs; callers with a fixed clock use 0).
   */
  lookaheadMs?: number;
  /**
   * Lane rows the round read or wrote are copied in here at its end (the Node loop's memory of each
   * lane's pacing, which lets it judge a notify() without a query).
   */
  laneMemory?: Map<string, DeliveryLaneRow>;
}

export const errorText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 500);
