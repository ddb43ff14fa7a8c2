// The installation's reward rules (organisation file `rewards:`), kept in app_state as one JSON row and
// read in the same batch as the change that needs them (a lead's conclusion, a claim).
import { eq, sql } from "drizzle-orm";
import { rewardRulesSchema, type RewardRules } from "../../core/rewards/policy";
import type { Db } from "../../db/client";
import { appState } from "../../db/schema";

export const REWARD_RULES_KEY = "reward_rules";

export const rewardRulesQuery = (db: Db) => db.select({ value: appState.value }).from(appState).where(eq(appState.key, REWARD_RULES_KEY));

/** The stored rules, or the defaults (national at 2 %, 2 months) when none were loaded or they no longer parse. */
export function rewardRulesOf(rows: { value: string }[]): RewardRules {
  const raw = rows[0]?.value;
  if (raw) {
    try {
      const parsed = rewardRulesSchema.safeParse(JSON.parse(raw));
      if (parsed.success) return parsed.data;
    } catch {
      // fall through to the defaults
    }
  }
  return rewardRulesSchema.parse(undefined);
}

export async function loadRewardRules(db: Db): Promise<RewardRules> {
  return rewardRulesOf(await rewardRulesQuery(db));
}

export function saveRewardRulesStatement(db: Db, rules: RewardRules, now: number) {
  const value = JSON.stringify(rules);
  return db
    .insert(appState)
    .values({ key: REWARD_RULES_KEY, value, updatedAt: now })
    .onConflictDoUpdate({ target: appState.key, set: { value, updatedAt: now }, setWhere: sql`${appState.value} <> ${value}` });
}
