import { STATUS_CODES } from "node:http";
import { AppError } from "../../../platform/errors/app-error.js";

/**
 * A small JSON-over-HTTP client for the cloud REST APIs the VM adapters talk to with Node's fetch
 * (OpenStack, Hetzner, Scaleway, OCI): one place for timeouts, bounded response bodies, the
 * caller's abort signal, and the translation of HTTP failures into the platform's errors with the
 * provider's own message (each API has its own error shape, given as `errorMessage`).
 */

/** Largest response body read from a cloud API by default; a larger one is a provider fault, not data. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** Largest object an object-store download reads (the outputs archive of a job). */
export const MAX_OBJECT_BYTES = 2 * 1024 ** 3 - 1;

export interface HttpApiOptions {
  /** The provider id, first word of every error message ("hetzner: create server failed ..."). */
  readonly provider: string;
  /** Per-request timeout. @default 30000 */
  readonly timeoutMs?: number;
  /** Extracts the provider's error message from a parsed error body; undefined when it has none. */
  readonly errorMessage?: (body: unknown) => string | undefined;
  /** The upper-case reason prefix of errors, e.g. "HETZNER". @default provider id upper-cased */
  readonly reasonPrefix?: string;
}

export interface HttpRequest {
  readonly method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON value (sent with content-type application/json) or raw bytes/text (content-type from headers). */
  readonly json?: unknown;
  readonly body?: Uint8Array | string;
  /** What the call does, for messages: "create server artenic-x". */
  readonly action: string;
  readonly signal?: AbortSignal | undefined;
  /** Largest body read (object downloads raise it). @default 32 MiB */
  readonly maxResponseBytes?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly bytes: Uint8Array;
  /** The body parsed as JSON; undefined when empty or not JSON. */
  readonly json: unknown;
}

/** Thrown for a non-2xx answer; carries the status so callers can treat 404 as "gone". */
export class HttpApiError extends AppError {
  constructor(
    kind: ConstructorParameters<typeof AppError>[0],
    reason: string,
    message: string,
    readonly status: number,
    readonly providerMessage: string,
    metadata: Record<string, string>,
    options: ConstructorParameters<typeof AppError>[4],
  ) {
    super(kind, reason, message, metadata, options);
  }
}

export const isHttpStatus = (e: unknown, ...statuses: number[]): boolean => e instanceof HttpApiError && statuses.includes(e.status);

function causeText(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
  return parts.join(": ");
}

async function readBounded(response: Response, maxBytes: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new Error(`the response is larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export class HttpApi {
  private readonly reasonPrefix: string;

  constructor(private readonly options: HttpApiOptions) {
    this.reasonPrefix = options.reasonPrefix ?? options.provider.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
  }

  /** Sends one request; a non-2xx answer throws an HttpApiError naming the action and the provider's message. */
  async send(request: HttpRequest): Promise<HttpResponse> {
    const { provider } = this.options;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    const headers: Record<string, string> = { accept: "application/json", ...request.headers };
    // Bytes are sent as they are (a code archive can be large); only a view on a SharedArrayBuffer is copied.
    const raw = request.body;
    let body: string | Uint8Array<ArrayBuffer> | undefined =
      typeof raw === "string" || raw === undefined ? raw : raw.buffer instanceof ArrayBuffer ? (raw as Uint8Array<ArrayBuffer>) : new Uint8Array(raw);
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers["content-type"] ??= "application/json";
    }
    let response: Response;
    let bytes: Uint8Array;
    try {
      response = await fetch(request.url, { method: request.method, headers, ...(body !== undefined ? { body } : {}), signal, redirect: "manual" });
      bytes = request.method === "HEAD" ? new Uint8Array() : await readBounded(response, request.maxResponseBytes ?? MAX_RESPONSE_BYTES);
    } catch (e) {
      if (request.signal?.aborted) throw request.signal.reason instanceof Error ? request.signal.reason : new Error(String(request.signal.reason));
      const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
      throw new AppError(
        "unavailable",
        `${this.reasonPrefix}_UNREACHABLE`,
        `${provider}: ${request.action} failed: ${timedOut ? "the API did not answer in time" : causeText(e) || "network error"}`,
        { action: request.action },
        { cause: e, retryDelayMs: 5000 },
      );
    }
    let json: unknown;
    if (bytes.byteLength > 0) {
      try {
        json = JSON.parse(Buffer.from(bytes).toString("utf8"));
      } catch {
        json = undefined;
      }
    }
    if (response.status >= 200 && response.status < 300) return { status: response.status, headers: response.headers, bytes, json };
    const text = Buffer.from(bytes).toString("utf8").slice(0, 500).trim();
    const providerMessage = (json !== undefined ? this.options.errorMessage?.(json) : undefined) ?? (text || STATUS_CODES[response.status] || `HTTP ${response.status}`);
    const status = response.status;
    const message = `${provider}: ${request.action} failed (HTTP ${status}): ${providerMessage}`;
    const meta = { action: request.action, status: String(status) };
    const err = (kind: ConstructorParameters<typeof AppError>[0], suffix: string, retry = false) =>
      new HttpApiError(kind, `${this.reasonPrefix}_${suffix}`, message, status, providerMessage, meta, retry ? { retryDelayMs: 5000 } : {});
    if (status === 401) throw err("failed_precondition", "UNAUTHORIZED");
    if (status === 403) throw err("failed_precondition", "FORBIDDEN");
    if (status === 404) throw err("failed_precondition", "NOT_FOUND");
    if (status === 409 || status === 412) throw err("aborted", "CONFLICT");
    if (status === 429) throw err("resource_exhausted", "RATE_LIMITED", true);
    if (status === 400 || status === 422) throw err("invalid_argument", "INVALID");
    if (status >= 300 && status < 400) throw err("failed_precondition", "REDIRECTED");
    throw err("unavailable", "UNAVAILABLE", true);
  }

  /** Like `send`, but a 404 answer is undefined (reads) or success (deletes). */
  async sendAllowingNotFound(request: HttpRequest): Promise<HttpResponse | undefined> {
    try {
      return await this.send(request);
    } catch (e) {
      if (isHttpStatus(e, 404)) return undefined;
      throw e;
    }
  }
}

/** Reads a required string field of a JSON object, or throws a provider-format error naming it. */
export function field<T>(value: unknown, path: string, provider: string, check: (v: unknown) => v is T): T {
  if (!check(value)) throw new AppError("unavailable", "PROVIDER_BAD_RESPONSE", `${provider}: unexpected API response: ${path} is missing or malformed`, { path });
  return value;
}

export const isString = (v: unknown): v is string => typeof v === "string";
export const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
export const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
