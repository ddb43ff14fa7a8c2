// Hono environment shared by every route: dependencies and per-request values.
import type { Context } from "hono";
import type { Locale } from "../core/report-input";
import type { ChatRuntime } from "../chat/runtime";
import type { ServiceDeps } from "../services/deps";
import type { ReceiptPdfRenderer } from "./receipt-pdf";
import type { StaffSession } from "./staff/workspace/session";

export interface AppDeps extends ServiceDeps {
  /**
   * The client's network address, used only to derive short-lived rate-limit keys. Supplied by the
   * runtime entry (socket address on Node, CF-Connecting-IP on Workers); never stored or logged.
   */
  clientAddress: (c: Context) => string | undefined;
  /** Gzip responses in the app (Node); Workers leave compression to the platform. */
  compressResponses?: boolean;
  /** Chat adapters, bot and Slack app (see src/chat/runtime.ts); absent in tests that need no chat. */
  chat?: ChatRuntime | null;
  /** Renders the PDF receipt (Node: src/http/cjk-font-node.ts); absent, /report/receipt.pdf falls back to the printable page. */
  receiptPdf?: ReceiptPdfRenderer | null;
}

export type AppEnv = {
  Variables: {
    deps: AppDeps;
    locale: Locale;
    requestId: string;
    /**
     * Added to the request's one `info` log line (e.g. what a submitted tip became): a use case reports
     * there instead of writing a second line. Ids and counts only, never what a tipster wrote or who they are.
     */
    logFields: Record<string, unknown>;
    /** The signed-in member on workspace pages (set by requireStaffSession in staff/workspace/session.ts). */
    staff?: StaffSession;
  };
};

export type AppContext = Context<AppEnv>;
