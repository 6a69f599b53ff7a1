import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import type { UniversalHandlerOptions } from "@connectrpc/connect/protocol";
import { Health, HealthCheckResponse_ServingStatus } from "@artenic/gen/grpc/health/v1/health_pb";

/**
 * The statuses a service can be in, from the standard `grpc.health.v1` protocol. Re-exported under
 * a short name so that callers need not import generated code.
 */
export const ServingStatus = HealthCheckResponse_ServingStatus;
/** One of {@link ServingStatus}. */
export type ServingStatus = HealthCheckResponse_ServingStatus;

const { SERVING, NOT_SERVING, SERVICE_UNKNOWN } = ServingStatus;

// Only the latest status matters to a watcher, so a stalled client must not make the backlog grow
// without bound while a status flaps.
const MAX_PENDING_PER_WATCHER = 16;

type StatusListener = (service: string, status: ServingStatus) => void;

/**
 * The serving status of the whole server (key `""`) and of each service on it (key: the fully
 * qualified proto service name, e.g. `artenic.registry.v1.RegistryService`). It backs the
 * `grpc.health.v1.Health` service registered by {@link registerGrpcHealth}; the application sets
 * statuses as its dependencies come and go.
 *
 * @example
 * const statuses = new ServingStatusRegistry();
 * statuses.set(RegistryService.typeName, ServingStatus.SERVING);
 * process.once("SIGTERM", () => statuses.shutdown());
 */
export class ServingStatusRegistry {
  readonly #statuses = new Map<string, ServingStatus>();
  readonly #listeners = new Set<StatusListener>();
  #shuttingDown = false;

  /**
   * @param initial Statuses to start with.
   * @default [["", ServingStatus.SERVING]], as the gRPC reference servers do: a server that
   *   answers at all is serving until told otherwise.
   */
  constructor(initial: Iterable<readonly [string, ServingStatus]> = [["", SERVING]]) {
    for (const [service, status] of initial) this.set(service, status);
  }

  /**
   * Records the status of `service` (`""` for the whole server) and notifies its watchers if it
   * changed. Ignored after {@link shutdown}, so that no component can report SERVING while the
   * server drains.
   *
   * @throws RangeError for SERVICE_UNKNOWN, which only Watch reports, for services never set.
   */
  set(service: string, status: ServingStatus): void {
    if (status === SERVICE_UNKNOWN) {
      throw new RangeError("SERVICE_UNKNOWN cannot be set; it is what Watch reports for unset services");
    }
    if (this.#shuttingDown) return;
    this.#update(service, status);
  }

  /** The status of `service` (`""` for the whole server), or `undefined` if it was never set. */
  get(service: string): ServingStatus | undefined {
    return this.#statuses.get(service);
  }

  /** A snapshot of every known status, keyed by service name. */
  list(): ReadonlyMap<string, ServingStatus> {
    return new Map(this.#statuses);
  }

  /**
   * Yields the current status of `service` at once (SERVICE_UNKNOWN if it was never set), then
   * every change, until `signal` aborts; it never ends on its own, since an unknown service may
   * be registered later. A slow consumer skips intermediate statuses beyond a small backlog, and
   * always ends on the latest.
   */
  async *watch(service: string, signal: AbortSignal): AsyncGenerator<ServingStatus, void, undefined> {
    const pending: ServingStatus[] = [this.get(service) ?? SERVICE_UNKNOWN];
    let last: ServingStatus | undefined;
    let wake: (() => void) | undefined;
    const listener: StatusListener = (changed, status) => {
      if (changed !== service) return;
      pending.push(status);
      if (pending.length > MAX_PENDING_PER_WATCHER) pending.shift();
      wake?.();
    };
    const onAbort = (): void => wake?.();
    this.#listeners.add(listener);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      while (!signal.aborted) {
        const next = pending.shift();
        if (next === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        } else if (next !== last) {
          // Dropping backlog can leave a repeat of what was already sent; the protocol promises a
          // message per change, not per set().
          last = next;
          yield next;
        }
      }
    } finally {
      this.#listeners.delete(listener);
      signal.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Marks the server and every known service NOT_SERVING, for graceful shutdown: load balancers and
   * watchers stop sending new work while in-flight calls finish. Later {@link set} calls are
   * ignored. Idempotent.
   */
  shutdown(): void {
    this.#shuttingDown = true;
    if (!this.#statuses.has("")) this.#update("", NOT_SERVING);
    for (const service of [...this.#statuses.keys()]) this.#update(service, NOT_SERVING);
  }

  #update(service: string, status: ServingStatus): void {
    const previous = this.#statuses.get(service);
    this.#statuses.set(service, status);
    if (previous === status) return;
    for (const listener of this.#listeners) listener(service, status);
  }
}

/**
 * Registers the standard `grpc.health.v1.Health` service (Check, List, Watch) on `router`,
 * answering from `statuses`, so that load balancers, Kubernetes gRPC probes and `grpc-health-probe`
 * can query the server.
 *
 * Check answers NOT_FOUND for a service that was never set. Watch streams until the client cancels
 * or the server's shutdown signal aborts the call.
 */
export function registerGrpcHealth(
  router: ConnectRouter,
  statuses: ServingStatusRegistry,
  options: Partial<UniversalHandlerOptions> = {},
): void {
  router.service(Health, {
    check(request) {
      const status = statuses.get(request.service);
      if (status === undefined) {
        throw new ConnectError(`unknown service "${request.service}"`, Code.NotFound);
      }
      return { status };
    },
    list() {
      const entries = [...statuses.list()].map(([service, status]) => [service, { status }] as const);
      return { statuses: Object.fromEntries(entries) };
    },
    async *watch(request, context) {
      for await (const status of statuses.watch(request.service, context.signal)) yield { status };
    },
  }, options);
}
