// The only module that imports the `pg` driver directly: MikroORM's pool cannot hold a connection
// in LISTEN for the life of the process, nor surface its notifications.
import { Client } from "pg";
import type { Logger } from "pino";
import type { DatabaseConfig } from "../../platform/config/config.js";
import type { WakeSource } from "../event-hub.js";

/** Reconnect delays after the LISTEN connection drops: doubling from the first to the last. */
const BACKOFF_MS = [100, 200, 500, 1000, 2000, 5000];

/**
 * A dedicated PostgreSQL connection in `LISTEN channel` that wakes the event hub on every
 * notification, so an event committed by any server process on the database reaches this
 * process's subscribers within a round trip. When the connection drops it reconnects with backoff
 * and wakes the hub once reconnected, since notifications sent meanwhile are lost; the hub's
 * safety poll covers the gap.
 */
export function createPgNotificationListener(db: Extract<DatabaseConfig, { kind: "postgresql" }>, channel: string, logger: Logger): WakeSource {
  let client: Client | undefined;
  let stopped = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let wake: () => void = () => undefined;

  const connect = async (): Promise<void> => {
    const c = new Client({
      host: db.host,
      port: db.port,
      user: db.user,
      password: db.password,
      database: db.dbName,
      application_name: "artenic-events",
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
    });
    let dropped = false;
    const onDrop = (e?: Error) => {
      if (dropped) return;
      dropped = true;
      if (client === c) client = undefined;
      void c.end().catch(() => undefined);
      if (stopped) return;
      logger.warn({ err: e }, "event notifications connection lost; reconnecting");
      schedule();
    };
    c.on("notification", () => wake());
    c.on("error", onDrop);
    c.on("end", () => onDrop());
    try {
      await c.connect();
      // The channel is a constant of ours, not user input.
      await c.query(`LISTEN ${channel}`);
    } catch (e) {
      // The caller retries (or fails the start); this client's own drop handler must not also.
      dropped = true;
      await c.end().catch(() => undefined);
      throw e;
    }
    if (stopped) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    attempt = 0;
  };

  const schedule = () => {
    const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
    attempt += 1;
    clearTimeout(timer);
    timer = setTimeout(() => {
      connect().then(
        () => wake(),
        (e: unknown) => {
          if (stopped) return;
          logger.warn({ err: e }, "event notifications connection failed; retrying");
          schedule();
        },
      );
    }, delay).unref();
  };

  return {
    async start(onWake) {
      wake = onWake;
      try {
        await connect();
      } catch (e) {
        stopped = true;
        clearTimeout(timer);
        throw e;
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
