// The files a tipster sent (with the report and later), for their own status page: name, type, size
// and when. Names are decrypted only here, for the receipt holder; investigators' files are not listed.
import { and, asc, eq, sql } from "drizzle-orm";
import { reportAttachments } from "../../db/schema";
import { decryptText } from "../../security/cipher";
import type { ServiceDeps } from "../deps";

export interface ReporterFile {
  name: string;
  mediaType: string;
  sizeBytes: number;
  at: string;
}

/** At most this many are listed (quotas keep a report far below it). */
const MAX_LISTED = 200;

export async function listReporterFiles(deps: ServiceDeps, reportId: string): Promise<ReporterFile[]> {
  const rows = await deps.db
    .select({ id: reportAttachments.id, nameEnc: reportAttachments.fileNameEnc, mediaType: reportAttachments.mediaType, sizeBytes: reportAttachments.sizeBytes, createdAt: reportAttachments.createdAt })
    .from(reportAttachments)
    .where(and(eq(reportAttachments.reportId, reportId), eq(reportAttachments.uploadedBy, "reporter")))
    .orderBy(asc(reportAttachments.createdAt), asc(sql`rowid`))
    .limit(MAX_LISTED);
  return Promise.all(
    rows.map(async (r) => ({
      name: await decryptText(deps.keys, r.nameEnc, `attachment:${r.id}:name`).catch(() => "—"),
      mediaType: r.mediaType,
      sizeBytes: r.sizeBytes,
      at: new Date(r.createdAt).toISOString(),
    })),
  );
}
