// Every campaign in one line each (`campaign list`): its id and name, whether it is active or finished,
// its year and region, when it started and its first and last deadline. The per-campaign figures are
// index searches on assignments_campaign_unit_idx (campaign id first).
import { desc, sql } from "drizzle-orm";
import { campaigns } from "../../db/schema";
import type { ServiceDeps } from "../deps";

export interface CampaignSummary {
  id: string;
  name: string;
  /** `active` while any assignment awaits acceptance, `finished` when all are accepted or the campaign was closed. */
  state: "active" | "finished";
  status: string;
  year: number;
  regionCode: string;
  startedAt: number;
  firstDueAt: number | null;
  lastDueAt: number | null;
  assignments: number;
  open: number;
}

/** All campaigns, newest first. */
export async function listCampaignSummaries(deps: ServiceDeps): Promise<CampaignSummary[]> {
  const rows = await deps.db
    .select({
      id: campaigns.id,
      name: campaigns.name,
      status: campaigns.status,
      year: campaigns.year,
      regionCode: campaigns.regionCode,
      startedAt: campaigns.createdAt,
      firstDueAt: sql<number | null>`(SELECT min(due_at) FROM assignments a WHERE a.campaign_id = "campaigns"."id")`,
      lastDueAt: sql<number | null>`(SELECT max(due_at) FROM assignments a WHERE a.campaign_id = "campaigns"."id")`,
      assignments: sql<number>`(SELECT count(*) FROM assignments a WHERE a.campaign_id = "campaigns"."id")`,
      open: sql<number>`(SELECT count(*) FROM assignments a WHERE a.campaign_id = "campaigns"."id" AND a.state <> 'accepted')`,
    })
    .from(campaigns)
    .orderBy(desc(campaigns.createdAt), desc(campaigns.id));
  return rows.map((r) => ({ ...r, state: r.status === "active" && (r.open > 0 || r.assignments === 0) ? "active" : "finished" }));
}
