// The events domain's public surface: the wiring (app.ts, main.ts) and other domains use only this.
import type { Logger } from "pino";
import type { ServiceImpl } from "@connectrpc/connect";
import type { EventsService } from "@artenic/gen/artenic/events/v1/events_service_pb";
import type { Config } from "../platform/config/config.js";
import type { Orm } from "../platform/db/orm.js";
import type { EventsMetrics } from "../platform/metrics/metrics.js";
import { EventHub, type WakeSource } from "./event-hub.js";
import { startEventRetention, type BackgroundTask } from "./event-retention.js";
import { createEventsServiceHandler } from "./events-service.handler.js";
import { EVENTS_CHANNEL, installOutboxCommitHooks } from "./outbox-commit-hooks.js";
import { createPgNotificationListener } from "./pg/pg-notification-listener.js";

export { installOutboxCommitHooks, EVENTS_CHANNEL, type OutboxCommitSignal } from "./outbox-commit-hooks.js";
export { EventHub, followEvents } from "./event-hub.js";
export { compileSelector, type LogEvent } from "./event-log.js";
export { pruneEventLog, startEventRetention, type RetentionPolicy } from "./event-retention.js";

/** The events capability of one server process: its hub, its RPC handler and its retention task. */
export interface EventsModule {
  /** This process's reader of the log and its live subscribers. */
  readonly hub: EventHub;
  /** `EventsService` (Subscribe, ListEvents), to register with the router. */
  readonly handler: ServiceImpl<typeof EventsService>;
  /** Starts tailing the log (and LISTEN on PostgreSQL) and the retention task. Before serving. */
  start(): Promise<void>;
  /** Stops both; call after open streams were ended by the shutdown signal. */
  stop(): Promise<void>;
}

/**
 * Builds the events capability from configuration: wake-ups from in-process commits on SQLite
 * (one writer, one process) and from PostgreSQL NOTIFY otherwise, so events committed by any
 * replica reach this one's subscribers. Installs the outbox commit hooks on `orm` if main.ts has
 * not already (it does so before anything writes).
 */
export function createEventsModule(deps: { readonly config: Config; readonly orm: Orm; readonly logger: Logger; readonly metrics?: EventsMetrics }): EventsModule {
  const { config, orm, logger, metrics } = deps;
  const commits = installOutboxCommitHooks(orm);
  let unsubscribe: (() => void) | undefined;
  const wakeSource: WakeSource =
    config.database.kind === "postgresql"
      ? createPgNotificationListener(config.database, EVENTS_CHANNEL, logger)
      : {
          async start(wake) {
            unsubscribe = commits.onCommit(wake);
          },
          async stop() {
            unsubscribe?.();
          },
        };
  const hub = new EventHub({ orm, logger, wakeSources: [wakeSource], subscriberBuffer: config.events.subscriberBuffer, pollMs: config.events.pollMs, ...(metrics ? { metrics } : {}) });
  metrics?.hubGauges(() => ({ subscribers: hub.subscribers, position: hub.position }));
  let retention: BackgroundTask | undefined;
  return {
    hub,
    handler: createEventsServiceHandler({ hub, defaultHeartbeatMs: config.events.heartbeatMs, ...(metrics ? { metrics } : {}) }),
    async start() {
      await hub.start();
      retention = startEventRetention({
        orm,
        policy: { maxAgeMs: config.events.retentionDays > 0 ? config.events.retentionDays * 24 * 3600 * 1000 : undefined, maxCount: config.events.retentionCount },
        intervalMs: config.events.retentionIntervalMs,
        logger,
        ...(metrics ? { onDeleted: (n: number) => metrics.retentionDeleted(n) } : {}),
      });
    },
    async stop() {
      await retention?.stop();
      await hub.stop();
    },
  };
}
