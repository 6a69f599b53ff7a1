import { AppError } from "../../../platform/errors/app-error.js";

/**
 * JSON over Node's fetch for the GPU clouds' public APIs: a timeout combined with the caller's
 * signal, a bounded response body, and one error type carrying the HTTP status and the provider's
 * own error code and message (never the credentials: URLs are logged without their query).
 */

/** A provider API answered with an error, or could not be reached (`status` 0). */
export class ApiCallError extends Error {
  override name = "ApiCallError";
  constructor(
    readonly provider: string,
    readonly action: string,
    readonly status: number,
    /** The provider's error code (`global/object-does-not-exist`), or "" when it gave none. */
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${provider}: ${action} failed (${status === 0 ? "unreachable" : `HTTP ${status}`}${code ? ` ${code}` : ""}): ${detail}`);
  }
}

export interface JsonRequest {
  readonly provider: string;
  /** What is being done, for messages: "launch an instance". */
  readonly action: string;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** @default 16 MiB */
  readonly maxBytes?: number;
  /** Reads the provider's error code and message from an error body. */
  readonly errorOf?: (body: unknown) => { code: string; message: string } | undefined;
}

async function readBounded(res: Response, maxBytes: number, what: string): Promise<string> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw new Error(`${what}: the response (${declared} bytes) is larger than ${maxBytes} bytes`);
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`${what}: the response is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Sends the request and returns the parsed JSON body of a 2xx answer; throws ApiCallError otherwise. */
export async function requestJson<T>(r: JsonRequest): Promise<T> {
  const timeout = AbortSignal.timeout(r.timeoutMs);
  const signal = r.signal ? AbortSignal.any([r.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(r.url, {
      method: r.method,
      headers: { accept: "application/json", ...(r.body !== undefined ? { "content-type": "application/json" } : {}), ...r.headers },
      ...(r.body !== undefined ? { body: JSON.stringify(r.body) } : {}),
      signal,
      redirect: "error",
    });
  } catch (e) {
    if (r.signal?.aborted) throw r.signal.reason;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new ApiCallError(r.provider, r.action, 0, cause?.code ?? "", timeout.aborted ? `no answer within ${r.timeoutMs} ms` : (cause?.message ?? (e as Error).message));
  }
  const text = await readBounded(res, r.maxBytes ?? 16 * 1024 * 1024, `${r.provider}: ${r.action}`);
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const err = r.errorOf?.(body);
    throw new ApiCallError(r.provider, r.action, res.status, err?.code ?? "", err?.message ?? (text.slice(0, 300) || res.statusText));
  }
  if (body === undefined && text !== "") throw new ApiCallError(r.provider, r.action, res.status, "", "the answer is not JSON");
  return body as T;
}

/**
 * An ApiCallError as the platform's error: credentials refused → permission_denied, unreachable,
 * throttled or a server error → unavailable (retried), anything else → failed_precondition.
 */
export function toAppError(e: unknown, reasonPrefix: string): unknown {
  if (!(e instanceof ApiCallError)) return e;
  const meta = { provider: e.provider, status: String(e.status), code: e.code };
  if (e.status === 401 || e.status === 403) return new AppError("permission_denied", `${reasonPrefix}_CREDENTIALS_REFUSED`, e.message, meta, { cause: e });
  if (e.status === 0 || e.status === 429 || e.status >= 500) return new AppError("unavailable", `${reasonPrefix}_UNAVAILABLE`, e.message, meta, { cause: e, retryDelayMs: 10_000 });
  return new AppError("failed_precondition", `${reasonPrefix}_REQUEST_REFUSED`, e.message, meta, { cause: e });
}
