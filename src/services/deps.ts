// What every use case needs, passed in by the entry files (src/node.ts, src/worker.ts) or by tests.
import type { Config } from "../config";
import type { Db } from "../db/client";
import type { KeyRing } from "../security/keys";
import type { QueuedLane } from "./delivery/wake-plan";

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface ServiceDeps {
  db: Db;
  keys: KeyRing;
  config: Config;
  /** The clock; tests pass a fixed one. */
  now: () => Date;
  log: Logger;
  /**
   * Called after a change has queued chat messages, so delivery starts now instead of at the next
   * tick. `queued` (queuedBy(statements) of the committed batch) lets the Node loop skip the look when
   * none of those chats can send before it looks anyway; without it, it looks now.
   */
  notifyOutbox?: (queued?: readonly QueuedLane[]) => void;
  /**
   * The campaign tick's limits on this runtime, set by the entry file (src/worker.ts passes Workers'
   * smaller ones); without it, Node's (see src/services/campaigns/reminders.ts).
   */
  campaignTick?: { budgetMs: number; pageSize: number };
  /** The lead escalation job's batch on this runtime (src/node.ts passes Node's larger one); without it, ESCALATION_BATCH_SIZE. */
  escalationTick?: { batchSize: number };
}

const LEVELS = ["debug", "info", "warn", "error"] as const;

/**
 * JSON-lines logger on console (fine on Node and Workers). Callers pass ids and codes only: never
 * identity, contact, receipt codes, client addresses or message bodies.
 */
export function createConsoleLogger(level: Config["LOG_LEVEL"]): Logger {
  const min = level === "silent" ? Infinity : LEVELS.indexOf(level);
  const write = (lvl: (typeof LEVELS)[number]) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS.indexOf(lvl) < min) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields });
    if (lvl === "error" || lvl === "warn") console.error(line);
    else console.log(line);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
