// The audit line of a batch's triage list: who looked at which leads under which filters. Written
// each time the list is shown, so "who saw this lead in a batch" is answered from the event log.
import { events } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import type { TriageFilters } from "./batch-triage";

export type { MemberRow } from "../../db/schema";

export async function recordBatchTriageView(
  deps: ServiceDeps,
  input: { batchId: string; member: { id: string; role: string }; filters: TriageFilters; after: number | undefined; before: number | undefined; leadIds: string[]; platformRef?: string | null },
): Promise<void> {
  await deps.db.insert(events).values({
    occurredAt: deps.now().getTime(),
    entityType: "batch",
    entityId: input.batchId,
    action: "batch.triage_viewed",
    actorType: "member",
    actorId: input.member.id,
    actorRole: input.member.role,
    platform: "web",
    platformRef: input.platformRef ?? null,
    data: JSON.stringify({ filters: input.filters, after: input.after ?? null, before: input.before ?? null, leadIds: input.leadIds }),
  });
}
