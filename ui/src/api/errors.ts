// The one error type the UI handles. Whatever fails (an API error, a dropped connection, a bug)
// becomes an ApiError with a stable code and a sentence for a person; the UI never shows a raw
// stack trace or "[object Object]".
import type { ErrorDto } from "../bindings/ErrorDto";

export class ApiError extends Error {
  readonly code: string;
  readonly field: string | undefined;

  constructor(code: string, message: string, field?: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.field = field;
  }

  /** The backend could not be reached at all. */
  get isUnreachable(): boolean {
    return this.code === "client.unreachable";
  }

  /** The backend wants an API key (none given, or a wrong one). */
  get needsKey(): boolean {
    return this.code === "auth.missing_key" || this.code === "auth.invalid_key";
  }
}

function isErrorDto(value: unknown): value is ErrorDto {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.code === "string" && typeof record.message === "string";
}

/** Turns anything thrown into an ApiError. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isErrorDto(error)) {
    return new ApiError(error.code, error.message, error.field);
  }
  if (typeof error === "object" && error !== null && "error" in error && isErrorDto(error.error)) {
    return new ApiError(error.error.code, error.error.message, error.error.field);
  }
  if (typeof error === "string" && error.trim() !== "") {
    return new ApiError("client.failed", error);
  }
  return new ApiError("client.failed", "Something went wrong. Try again; if it keeps happening, check botdesk's log.");
}
