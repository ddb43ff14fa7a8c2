// WeCom template cards are updated with a one-time `response_code` (from the send answer and from every press
// on the card, valid 72 h): they are kept here, in app_state rows `wecom_rc:<task id>`, so the adapter's
// edit can spend one. Each code is taken once; expired ones are dropped.
import { and, eq, gte, inArray, lt } from "drizzle-orm";
import { appState } from "../../db/schema";
import type { ServiceDeps } from "../deps";

export const WECOM_CODE_TTL_MS = 72 * 3600_000;
const PREFIX = "wecom_rc:";
/** A card pressed many times keeps only its newest codes (one is all an edit needs). */
const KEEP = 8;
const PRUNE_BATCH = 50;

/** What the adapter and the inbound handler need: store a code for a card, take the newest unexpired one. */
export interface WecomCardCodes {
  /** Keeps `code` for the card `root` (the task id its first send had); `taskId`: the task it was given for. */
  put(root: string, code: string, taskId: string): Promise<void>;
  /** The newest unexpired code and its task (removed: a code works once), or null. */
  take(root: string): Promise<{ code: string; taskId: string } | null>;
}

interface Stored {
  c: string;
  t: string;
  at: number;
}

function parse(value: string | undefined): Stored[] {
  if (!value) return [];
  try {
    const list: unknown = JSON.parse(value);
    return Array.isArray(list) ? list.filter((e): e is Stored => !!e && typeof e.c === "string" && typeof e.t === "string" && typeof e.at === "number") : [];
  } catch {
    return [];
  }
}

/** Rows of cards whose codes all expired before `before` (ms): a range on app_state's primary key, bounded. */
export const expiredCardCodeRows = (db: ServiceDeps["db"], before: number) =>
  db
    .select({ key: appState.key })
    .from(appState)
    .where(and(gte(appState.key, PREFIX), lt(appState.key, "wecom_rc;"), lt(appState.updatedAt, before)))
    .limit(PRUNE_BATCH);

export function wecomCardCodes(deps: ServiceDeps): WecomCardCodes {
  const keyOf = (taskId: string) => `${PREFIX}${taskId}`;
  const load = async (key: string) => (await deps.db.select({ value: appState.value }).from(appState).where(eq(appState.key, key)))[0]?.value;

  /** Compare-and-set on the row's old value, so two deliverers never spend the same code. */
  async function swap(key: string, old: string | undefined, next: Stored[], now: number): Promise<boolean> {
    if (next.length === 0) {
      if (old === undefined) return true;
      const gone = await deps.db.delete(appState).where(and(eq(appState.key, key), eq(appState.value, old))).returning({ key: appState.key });
      return gone.length === 1;
    }
    const value = JSON.stringify(next);
    if (old === undefined) {
      const made = await deps.db.insert(appState).values({ key, value, updatedAt: now }).onConflictDoNothing().returning({ key: appState.key });
      return made.length === 1;
    }
    const changed = await deps.db.update(appState).set({ value, updatedAt: now }).where(and(eq(appState.key, key), eq(appState.value, old))).returning({ key: appState.key });
    return changed.length === 1;
  }

  return {
    async put(root, code, taskId) {
      const now = deps.now().getTime();
      const key = keyOf(root);
      for (let attempt = 0; attempt < 5; attempt++) {
        const old = await load(key);
        const live = parse(old).filter((e) => e.at > now - WECOM_CODE_TTL_MS && e.c !== code);
        if (await swap(key, old, [...live, { c: code, t: taskId, at: now }].slice(-KEEP), now)) break;
      }
      // Cards nobody pressed again keep their row: drop a bounded number of expired ones (a key-range scan).
      await deps.db.delete(appState).where(inArray(appState.key, expiredCardCodeRows(deps.db, now - WECOM_CODE_TTL_MS)));
    },
    async take(root) {
      const now = deps.now().getTime();
      const key = keyOf(root);
      for (let attempt = 0; attempt < 5; attempt++) {
        const old = await load(key);
        const live = parse(old).filter((e) => e.at > now - WECOM_CODE_TTL_MS);
        const newest = live.pop();
        if (await swap(key, old, live, now)) return newest ? { code: newest.c, taskId: newest.t } : null;
      }
      return null;
    },
  };
}
