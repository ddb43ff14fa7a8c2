// Campaign compliance figures of the statistics (per deliverable: units on time, late, missing, returned; reminders).
// replaced by stats-campaigns
import type { ServiceDeps } from "../deps";
import type { CampaignFigures, StatisticsScope } from "./report";

export async function campaignFigures(_deps: ServiceDeps, _scope: StatisticsScope, _now: Date): Promise<CampaignFigures[]> {
  return [];
}
