// The one error type the UI handles. Whatever fails (an API error, a dropped connection, a bug)
// becomes an ApiError with a stable code and a sentence for a person; the UI never shows a raw
// stack trace or "[object Object]".
import type { ErrorCode } from "../bindings/ErrorCode";
import type { Issue } from "../bindings/Issue";
import type { WireError } from "../bindings/WireError";

/** The codes the UI makes itself, when botdesk could not answer or the page could not go on. */
export type ClientCode =
  | "client.unreachable"
  | "client.bad_response"
  | "client.desktop_only"
  | "client.unreadable_file"
  | "client.failed";

export class ApiError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  /** Every located problem, when the input had several. */
  readonly issues: Issue[];

  constructor(code: string, message: string, field?: string, issues: Issue[] = []) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.field = field;
    this.issues = issues;
  }

  /** Whether this is the error `code` names (one botdesk sends for the UI to act on, or one
   * the UI makes). Every other code is only shown. */
  is(code: ErrorCode | ClientCode): boolean {
    return this.code === code;
  }

  /** The backend could not be reached at all. */
  get isUnreachable(): boolean {
    return this.is("client.unreachable");
  }

  /** The backend wants an API key (none given, or a wrong one). */
  get needsKey(): boolean {
    return this.is("auth.missing_key") || this.is("auth.invalid_key");
  }
}

function isWireError(value: unknown): value is WireError {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.code === "string" && typeof record.message === "string";
}

/** Turns anything thrown into an ApiError. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isWireError(error)) {
    return new ApiError(error.code, error.message, error.field, error.issues);
  }
  if (typeof error === "object" && error !== null && "error" in error && isWireError(error.error)) {
    return new ApiError(error.error.code, error.error.message, error.error.field, error.error.issues);
  }
  if (typeof error === "string" && error.trim() !== "") {
    return new ApiError("client.failed", error);
  }
  return new ApiError("client.failed", "Something went wrong. Try again; if it keeps happening, check botdesk's log.");
}
