// The headers of every download we serve (evidence, unit documents, exports, the PDF receipt): the
// name from src/core/download-name.ts (ours, never the uploader's), the detected type or a neutral
// application/octet-stream, and nosniff so a browser never second-guesses it.
import { contentDisposition, type DownloadType } from "../core/download-name";

export function downloadHeaders(name: { stem: string; asciiStem?: string }, type: DownloadType): Record<string, string> {
  return {
    "Content-Type": type.contentType,
    "Content-Disposition": contentDisposition({ ...name, extension: type.extension }),
    "X-Content-Type-Options": "nosniff",
  };
}

/** Exports we write ourselves. */
export const CSV_DOWNLOAD: DownloadType = { contentType: "text/csv; charset=utf-8", extension: "csv" };
export const XLSX_DOWNLOAD: DownloadType = { contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", extension: "xlsx" };
export const PDF_DOWNLOAD: DownloadType = { contentType: "application/pdf", extension: "pdf" };
