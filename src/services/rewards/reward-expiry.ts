// Tick job: eligible rewards not claimed by their deadline are forfeited.
import { and, asc, eq, isNotNull, lte } from "drizzle-orm";
import { retryBusy } from "../../db/retry";
import { rewardClaims } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import { AppError } from "../errors";
import { applyStep } from "./claim-steps";

const EXPIRY_BATCH = 200;

/** Tick job: eligible rewards not claimed by their deadline are forfeited (recorded, shown on the status page). */
export async function expireUnclaimedRewards(deps: ServiceDeps): Promise<{ expired: number }> {
  const now = deps.now().getTime();
  const due = await retryBusy(deps.db, () =>
    deps.db.select().from(rewardClaims).where(and(isNotNull(rewardClaims.nextCheckAt), lte(rewardClaims.nextCheckAt, now))).orderBy(asc(rewardClaims.nextCheckAt)).limit(EXPIRY_BATCH),
  );
  let expired = 0;
  for (const claim of due) {
    if (claim.status !== "eligible") {
      await deps.db.update(rewardClaims).set({ nextCheckAt: null }).where(and(eq(rewardClaims.id, claim.id), eq(rewardClaims.version, claim.version)));
      continue;
    }
    try {
      await applyStep(deps, { claim, command: { type: "expire" }, actor: { type: "system", platform: "scheduler" }, data: { claimDeadline: claim.claimDeadline }, notify: "none" });
      expired++;
    } catch (err) {
      // A claim made at the last moment wins over the expiry; anything else is logged and retried next tick.
      if (!(err instanceof AppError)) throw err;
    }
  }
  return { expired };
}
