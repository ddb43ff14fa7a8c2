// One error type for every use case; transports (HTTP, chat) map the code to their own answer.
import type { Params } from "../i18n";
import type { Refusal } from "./refusals/refusal";

export type ErrorCode =
  | "validation_failed"
  | "not_found"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "report_closed"
  | "conflict"
  | "unavailable"
  | "duplicate_submission"
  | "idempotency_key_reused"
  | "unauthorized"
  | "forbidden"
  | "request_timeout"
  | "internal";

export interface AppErrorOptions {
  /** Field path → message already in the request's language. */
  fields?: Record<string, string>;
  /** Parameters for the localised `errors.<code>` text. */
  params?: Params;
  /** An i18n key more specific than `errors.<code>` for the message shown. */
  messageKey?: string;
  retryAfterSeconds?: number;
  /** Extra machine-readable fields for the JSON error body (e.g. the original report id of a repeat). */
  details?: Record<string, unknown>;
  /** What was refused and about what, for words naming who can do it (refusals/refusal-text.ts); never sent in an HTTP body. */
  refusal?: Refusal;
  cause?: unknown;
}

export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
  }
}

export function codeToStatus(code: ErrorCode): 400 | 401 | 403 | 404 | 408 | 409 | 413 | 415 | 422 | 429 | 500 | 503 {
  switch (code) {
    case "validation_failed":
      return 400;
    case "unauthorized":
      return 401;
    case "forbidden":
      return 403;
    case "not_found":
      return 404;
    case "conflict":
    case "duplicate_submission":
    case "report_closed":
      return 409;
    case "request_timeout":
      return 408;
    case "payload_too_large":
      return 413;
    case "unsupported_media_type":
      return 415;
    case "idempotency_key_reused":
      return 422;
    case "rate_limited":
      return 429;
    case "internal":
      return 500;
    case "unavailable":
      return 503;
  }
}
