// Logs each statistics export (workbook, statistics CSV, lead ledger CSV) before its bytes are handed
// out: who, in which scope, which format, how many rows — as batch feedback downloads are logged.
import { events } from "../../db/schema";
import type { ServiceDeps } from "../deps";
import type { MemberRow } from "../org/member-lookups";
import { eventRow } from "../events";
import type { StatisticsScope } from "./report";
import type { StatisticsViewer } from "./viewer";

export type StatisticsExportFormat = "xlsx" | "csv" | "ledger_csv";

export interface StatisticsExportLog {
  member: MemberRow;
  viewer: Exclude<StatisticsViewer, { kind: "refused" }>;
  scope: StatisticsScope;
  format: StatisticsExportFormat;
  /** Rows handed out: figures for the statistics CSV, leads for the ledger, both for the workbook. */
  rows: number;
  /** Set when the ledger stopped at its limit. */
  truncated?: boolean;
  platform: "web" | "cli" | "telegram" | "slack";
  platformRef?: string | null;
}

/** One `statistics.exported` event; the entity is the period ("2026-11-01..2026-11-30"). */
export async function logStatisticsExport(deps: ServiceDeps, input: StatisticsExportLog): Promise<void> {
  const { scope } = input;
  await deps.db.insert(events).values(
    eventRow(
      { type: "member", id: input.member.id, role: input.member.role, platform: input.platform, platformRef: input.platformRef ?? null },
      {
        occurredAt: deps.now().getTime(),
        entityType: "statistics",
        entityId: `${scope.period.from}..${scope.period.to}`,
        action: "statistics.exported",
        data: JSON.stringify({
          format: input.format,
          rows: input.rows,
          ...(input.truncated ? { truncated: true } : {}),
          view: input.viewer.kind,
          scope: { from: scope.period.from, to: scope.period.to, regionCode: scope.regionCode ?? null, teamId: scope.teamId ?? null, source: scope.source ?? null, campaignId: scope.campaignId ?? null },
        }),
      },
    ),
  );
}
