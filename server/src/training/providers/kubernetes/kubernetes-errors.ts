import { STATUS_CODES } from "node:http";
import { ApiException } from "@kubernetes/client-node";
import { AppError } from "../../../platform/errors/app-error.js";

/**
 * Translates what the Kubernetes client throws into the platform's errors, with the API server's
 * own Status message (`jobs.batch "x" is forbidden: User "y" cannot create ...`) so that the job's
 * state message and the provider's connection test say what the cluster said.
 */

/** The parts of a `meta/v1` Status the adapter reads. */
export interface KubeStatus {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
}

/** The Status of a failed API call, or undefined when the error is not an HTTP answer. */
export function kubeStatusOf(error: unknown): KubeStatus | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const code = Number(error.code);
  let body: unknown = error.body;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      body = { message: body };
    }
  }
  const status = (body ?? {}) as { reason?: unknown; message?: unknown };
  // The client drops the body of a 401; the other errors carry the server's Status.
  const fallback = code === 401 ? "the API server rejected the credentials (token or client certificate)" : (STATUS_CODES[code] ?? `HTTP ${code}`);
  return {
    code,
    reason: typeof status.reason === "string" && status.reason !== "" ? status.reason : (STATUS_CODES[code] ?? "").replace(/\s+/g, ""),
    message: typeof status.message === "string" && status.message !== "" ? status.message : fallback,
  };
}

export const isNotFound = (e: unknown): boolean => kubeStatusOf(e)?.code === 404;
export const isConflict = (e: unknown): boolean => kubeStatusOf(e)?.code === 409;

/** A cause chain's messages, for network failures (`fetch failed: connect ECONNREFUSED ...`). */
function causeText(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 4; e = e.cause) parts.push(e.message);
  return parts.join(": ");
}

/**
 * The platform error for a failed call. `action` names the call (`create Job artenic-x`). A caller's
 * abort is passed through unchanged.
 */
export function translateKubeError(error: unknown, action: string, signal?: AbortSignal): Error {
  if (signal?.aborted) return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
  if (error instanceof AppError) return error;
  const status = kubeStatusOf(error);
  if (!status) {
    const timeout = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    return new AppError(
      "unavailable",
      "KUBERNETES_UNREACHABLE",
      `kubernetes: ${action} failed: ${timeout ? "the API server did not answer in time" : causeText(error) || "network error"}`,
      { action },
      { cause: error, retryDelayMs: 5000 },
    );
  }
  const meta = { action, code: String(status.code), reason: status.reason };
  const message = `kubernetes: ${action} failed (${status.code}${status.reason ? ` ${status.reason}` : ""}): ${status.message}`;
  if (status.code === 401) return new AppError("failed_precondition", "KUBERNETES_UNAUTHORIZED", message, meta, { cause: error });
  if (status.code === 403) return new AppError("failed_precondition", "KUBERNETES_FORBIDDEN", message, meta, { cause: error });
  if (status.code === 404) return new AppError("failed_precondition", "KUBERNETES_NOT_FOUND", message, meta, { cause: error });
  if (status.code === 409) return new AppError("aborted", "KUBERNETES_CONFLICT", message, meta, { cause: error });
  if (status.code === 400 || status.code === 422) return new AppError("invalid_argument", "KUBERNETES_INVALID", message, meta, { cause: error });
  return new AppError("unavailable", "KUBERNETES_UNAVAILABLE", message, meta, { cause: error, retryDelayMs: 5000 });
}
