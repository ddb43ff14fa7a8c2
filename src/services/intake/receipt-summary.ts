// What the 受理回执 says about a report beyond its proof: the categories, region and period the tipster
// chose (never the description or identity). One primary-key read.
import { eq } from "drizzle-orm";
import { reports, type ReportRow } from "../../db/schema";
import type { ServiceDeps } from "../deps";

export type { ReportRow } from "../../db/schema";

export type ReceiptSummary = Pick<ReportRow, "subject" | "violationType" | "regionCode" | "occurredFrom" | "occurredTo" | "isAnonymous">;

export async function receiptSummary(deps: ServiceDeps, reportId: string): Promise<ReceiptSummary | null> {
  return (
    (await deps.db.query.reports.findFirst({
      columns: { subject: true, violationType: true, regionCode: true, occurredFrom: true, occurredTo: true, isAnonymous: true },
      where: eq(reports.id, reportId),
    })) ?? null
  );
}
