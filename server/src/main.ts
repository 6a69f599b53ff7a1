import { loadConfig, type Config } from "./platform/config/config.js";
import { createLogger } from "./platform/logging/logger.js";
import { loadServerKeys } from "./platform/crypto/master-key.js";
import { initOrm, migrate, type Orm } from "./platform/db/orm.js";
import { listen, type Listener } from "./platform/http/listener.js";
import { buildApp, type AppDeps } from "./app.js";
import { installOutboxCommitHooks } from "./events/index.js";
import { ensureBootstrapKey } from "./admin/api-key.use-cases.js";
import { pruneIdempotencyRecords } from "./platform/idempotency/idempotency.js";
import { computeBaseline, SettingsRuntime } from "./settings/index.js";
import { loadPlugins } from "./plugins/index.js";
import { KNOWN_PROVIDER_IDS } from "./training/index.js";
import { BUILTIN_STRATEGY_NAMES } from "./ensemble/strategies/index.js";
import type { Logger } from "pino";

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** The server's ORM, for in-process benchmarks that write through the server's own outbox path. */
  readonly orm: Orm;
  /** Graceful stop: readiness off, drain within the configured grace, close the database. */
  stop(): Promise<void>;
}

/**
 * Starts the platform: configuration, database and migrations, the first admin key, then every
 * protocol on one port. Returns once RPCs are served and `/readyz` answers 200.
 */
export async function startServer(startConfig: Config, logger: Logger, extra: Pick<AppDeps, "extraRoutes"> = {}): Promise<RunningServer> {
  let config = startConfig;
  const keys = loadServerKeys(config.secretKey, config.dataDir);
  const orm: Orm = await initOrm(config.database);
  // Before anything writes: event ids must follow commit order from the first event on.
  installOutboxCommitHooks(orm);
  let listener: Listener | undefined;
  // Stopped on a failed start too: on PostgreSQL it holds a LISTEN connection open.
  let events: { stop(): Promise<void> } | undefined;
  try {
    await migrate(orm);
    const generated = await ensureBootstrapKey(orm.em.fork(), keys.apiKeyHashKey, config.bootstrapApiKey, new Date());
    if (generated) {
      // Printed once, on stdout and not through the logger, so log shipping never carries it.
      process.stdout.write(
        `\nArtenic generated the first admin API key. It is shown only now; store it safely:\n\n  ${generated}\n\n` +
          `Use it as: Authorization: Bearer <key>\n\n`,
      );
    }
    // Stored settings override the environment and the file: components built from the
    // configuration below see them, and hot-reloaded ones follow later changes.
    const settings = await SettingsRuntime.load({ em: () => orm.em.fork(), secretsKey: keys.secretsKey, baseline: computeBaseline(config), logger });
    config = settings.applyTo(config);
    // The logger was made before the database could be read: a stored level applies from here.
    if (settings.isStored("logging", "level")) logger.level = config.logLevel;
    // A plugin that cannot load is reported and skipped: it never stops the start.
    const plugins = await loadPlugins(config.plugins, { dataDir: config.dataDir, logger, reservedProviderIds: KNOWN_PROVIDER_IDS, reservedStrategies: BUILTIN_STRATEGY_NAMES });
    const app = buildApp({ config, orm, keys, logger, settings, plugins, ...extra });
    events = app.events;
    await app.events.start();
    app.settings.start();
    await app.providers.start();
    listener = await listen(app.handler, { host: config.host, port: config.port, tls: config.tls, claimStream: app.claimStream });
    app.setReady(true);
    void app.warmServices().catch((e: unknown) => logger.warn({ err: e }, "warming services failed"));
    app.monitor.start();
    await app.ensembles.start();
    app.splits.start();
    app.webhooks.start();
    // Housekeeping off the request path: forget request ids past their replay window.
    const prune = () =>
      pruneIdempotencyRecords(orm.em.fork(), new Date()).catch((e: unknown) => logger.warn({ err: e }, "pruning idempotency records failed"));
    void prune();
    const janitor = setInterval(prune, 10 * 60 * 1000).unref();
    const scheme = config.tls ? "https" : "http";
    const url = `${scheme}://${config.host.includes(":") ? `[${config.host}]` : config.host}:${listener.address.port}`;
    app.training.start(url);
    app.mlflow.start();
    logger.info({ url, database: config.database.kind }, "artenic serving gRPC, gRPC-Web and Connect");
    const open = listener;
    let stopping: Promise<void> | undefined;
    return {
      url,
      port: open.address.port,
      orm,
      stop() {
        stopping ??= (async () => {
          app.setReady(false);
          clearInterval(janitor);
          await app.monitor.stop();
          await app.ensembles.stop();
          await app.splits.stop();
          await app.training.stop();
          await app.mlflow.stop();
          await app.providers.stop();
          await app.webhooks.stop();
          await open.close(config.shutdownGraceMs);
          await app.settings.stop();
          await app.events.stop();
          await orm.close();
          logger.info("artenic stopped");
        })();
        return stopping;
      },
    };
  } catch (e) {
    await listener?.close(0);
    await events?.stop();
    await orm.close();
    throw e;
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    process.stderr.write(`artenic: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  const server = await startServer(config, logger);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    logger.info({ signal }, "shutting down");
    // A hard stop after the grace period, whatever is still pending.
    setTimeout(() => process.exit(1), config.shutdownGraceMs + 1500).unref();
    server.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error({ err: e }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

if (import.meta.main) {
  main().catch((e: unknown) => {
    process.stderr.write(`artenic: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
