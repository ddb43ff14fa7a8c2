// Screening batch figures of the statistics (batches, rows, fed back, outcomes).
// replaced by stats-campaigns
import type { ServiceDeps } from "../deps";
import type { StatisticsReport, StatisticsScope } from "./report";

export async function batchFigures(_deps: ServiceDeps, _scope: StatisticsScope): Promise<StatisticsReport["batches"]> {
  return { count: 0, rows: 0, fedBack: 0, byOutcome: {} };
}
