// runTick(deps, now): the one function both schedulers call (node-cron on Node, Cron Triggers on
// Workers). Each job selects what is due at `now`, so a late or missed tick catches up once.
import { purgeExpiredRateLimits } from "../services/rate-limit";
import type { ServiceDeps } from "../services/deps";

export interface TickResult {
  at: string;
  jobs: Record<string, "ok" | "failed">;
}

type Job = (deps: ServiceDeps) => Promise<unknown>;

const JOBS: Record<string, Job> = {
  purgeExpiredRateLimits,
};

export async function runTick(deps: ServiceDeps, now: Date): Promise<TickResult> {
  const atNow: ServiceDeps = { ...deps, now: () => now };
  const jobs: TickResult["jobs"] = {};
  // One failing job must not starve the others; each failure is logged and retried next tick.
  for (const [name, job] of Object.entries(JOBS)) {
    try {
      await job(atNow);
      jobs[name] = "ok";
    } catch (err) {
      jobs[name] = "failed";
      deps.log.error("scheduled job failed", { job: name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { at: now.toISOString(), jobs };
}
