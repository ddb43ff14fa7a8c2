// runTick(deps, now): the one function both schedulers call (node-cron on Node, Cron Triggers on
// Workers), for leads and campaigns. Each job selects what is due at `now`, so a late or missed tick catches up once.
import type { ChatRuntime } from "../chat/runtime";
import { escalateOverdueLeads } from "../services/leads/escalation";
import { expireUnclaimedRewards } from "../services/rewards/claims";
import { runCampaignReminders } from "../services/campaigns/reminders";
import { sendWeeklyDigest } from "../services/statistics/weekly-digest";
import { checkReadReceipts } from "../services/read-receipts/check-reads";
import { deliverDueMessages } from "../services/delivery/outbox";
import { unparkStrandedHeads } from "../services/delivery/engine";
import { DEFAULT_OUTBOX_RETENTION_DAYS, purgeDeliveredMessages } from "../services/delivery/retention";
import { sealEventLog, type ChainHead } from "../services/audit/event-chain";
import { purgeExpiredSubmissionKeys } from "../services/intake/submission-keys";
import { purgeExpiredRateLimits } from "../services/intake/rate-limit";
import type { ServiceDeps } from "../services/deps";

export interface TickDeps extends ServiceDeps {
  chat?: ChatRuntime | null;
}

export interface TickResult {
  at: string;
  jobs: Record<string, "ok" | "failed">;
  /** The event log's chain head after this tick sealed the new rows (null if sealing failed). */
  chainHead: ChainHead | null;
  /** The back-dated event sealing stopped at (nothing after it is sealed until it is dealt with), or null. */
  sealBlockedAt: number | null;
}

type Job = (deps: TickDeps) => Promise<unknown>;

/** Rounds one tick delivers at its `now` (each round sends at most one message per chat). */
const TICK_DELIVERY_ROUNDS = 20;

const JOBS: Record<string, Job> = {
  purgeExpiredRateLimits,
  purgeExpiredSubmissionKeys,
  escalateOverdueLeads,
  expireUnclaimedRewards,
  runCampaignReminders: (deps) => runCampaignReminders(deps, deps.now()),
  // The coordinators' weekly statistics (first working day, from 09:00 Shanghai; once per week).
  sendWeeklyDigest: (deps) => sendWeeklyDigest(deps, deps.now()),
  // Who read the lead cards and campaign reminders sent to platforms that report it (Feishu, DingTalk).
  checkReadReceipts: async (deps) => (deps.chat ? checkReadReceipts({ ...deps, adapters: deps.chat.adapters }) : undefined),
  purgeDeliveredMessages: (deps) => purgeDeliveredMessages(deps, { retentionDays: deps.config.OUTBOX_RETENTION_DAYS ?? DEFAULT_OUTBOX_RETENTION_DAYS }),
  unparkStrandedHeads,
  // Delivery runs last so reminders queued by this tick go out in it.
  deliverChatMessages: async (deps) => {
    if (!deps.chat) return;
    // On Node the delivery loop owns delivery: the tick only makes sure it looks now.
    if (deps.chat.deliveryLoop?.running) return deps.chat.notify();
    // Elsewhere: whatever is due at the tick's time (the Worker follows with a drain on the real clock).
    const delivery = { ...deps.chat.delivery, now: deps.now };
    for (let round = 0; round < TICK_DELIVERY_ROUNDS; round++) {
      const r = await deliverDueMessages(delivery);
      if (r.sent + r.retried + r.failed === 0 || r.nextDueAt === null || r.nextDueAt > deps.now().getTime()) break;
    }
  },
};

export async function runTick(deps: TickDeps, now: Date): Promise<TickResult> {
  const atNow: TickDeps = { ...deps, now: () => now };
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
  // Sealing runs after every job, so the events this tick wrote are covered by the head it publishes.
  let chainHead: ChainHead | null = null;
  let sealBlockedAt: number | null = null;
  try {
    const sealing = await sealEventLog(atNow);
    chainHead = sealing.head;
    jobs.sealEventLog = sealing.blocked ? "failed" : "ok";
    if (sealing.blocked) {
      // Ids only. Every tick repeats this until an operator has looked: `npm run verify-log` names the row.
      sealBlockedAt = sealing.blocked.id;
      deps.log.error("event log sealing stopped at a back-dated event", { eventId: sealing.blocked.id, laterEventId: sealing.blocked.latestId, chainHeadId: sealing.head.id });
    }
  } catch (err) {
    jobs.sealEventLog = "failed";
    deps.log.error("scheduled job failed", { job: "sealEventLog", error: err instanceof Error ? err.message : String(err) });
  }
  // The published head: a copy of this line kept outside the database anchors the chain (verify-log --anchor).
  deps.log.info("tick", { at: now.toISOString(), jobs, ...(chainHead ? { chainHead: `${chainHead.id}:${chainHead.hash}` } : {}), ...(sealBlockedAt !== null ? { sealBlockedAt } : {}) });
  return { at: now.toISOString(), jobs, chainHead, sealBlockedAt };
}
