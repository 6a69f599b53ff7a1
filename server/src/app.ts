import { createRegistry } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { file_google_rpc_error_details } from "@artenic/gen/google/rpc/error_details_pb";
import type { Logger } from "pino";
import { Health } from "@artenic/gen/grpc/health/v1/health_pb";
import { ServerReflection } from "@artenic/gen/grpc/reflection/v1/reflection_pb";
import { ServerReflection as ServerReflectionV1alpha } from "@artenic/gen/grpc/reflection/v1alpha/reflection_pb";
import type { Orm } from "./platform/db/orm.js";
import type { Config } from "./platform/config/config.js";
import type { ServerKeys } from "./platform/crypto/master-key.js";
import { createMetrics } from "./platform/metrics/metrics.js";
import { RateLimiter } from "./platform/auth/rate-limiter.js";
import { createAuthGate, createPlatformInterceptors } from "./platform/interceptors/interceptors.js";
import { createHttpHandler } from "./platform/http/http-handler.js";
import type { ListenOptions, RequestHandler } from "./platform/http/listener.js";
import { createRpcAdapter } from "./platform/http/rpc-adapter.js";
import { registerGrpcHealth, ServingStatus, ServingStatusRegistry } from "./platform/grpc-health/grpc-health.js";
import { registerReflection } from "./platform/reflection/reflection.js";
import { artenicServices, ABTestService, BudgetService, EnsembleService, EventsService, HealthService, InferenceService, TrainingService } from "./services.js";
import { RegistryService, AdminService } from "./services.js";
import { createApiKeyVerifier } from "./admin/api-key.verifier.js";
import { createAdminServiceHandler } from "./admin/admin-service.handler.js";
import { createRegistryServiceHandler } from "./registry/registry-service.handler.js";
import { createLocalArtifactStore } from "./registry/artifacts/local-artifact-store.js";
import type { ArtifactStore } from "./registry/artifacts/artifact-store.js";
import { createObjectArtifactStore } from "./registry/artifacts/object-artifact-store.js";
import { layerArtifactStores } from "./registry/artifacts/layered-artifact-store.js";
import { createS3ObjectStore } from "./platform/object-store/s3/index.js";
import { GRPCInferenceService } from "@artenic/gen/inference/grpc_service_pb";
import { createInferenceServiceHandler, createServiceReferenceChecker, createServiceRoutingListener, ModelRouter, PredictionRecorder } from "./inference/index.js";
import { createOipServiceHandler } from "./inference/oip/oip-service.handler.js";
import { compileSelector, createEventsModule, followEvents, type EventHub, type EventsModule } from "./events/index.js";
import { createPluginsHandler, NO_PLUGINS, type LoadedPlugins } from "./plugins/index.js";
import { createSettingsHandler, type SettingsChangeFeed, type SettingsRuntime } from "./settings/index.js";
import { listAllServiceIds } from "./inference/service.use-cases.js";
import { HealthMonitor } from "./health/health-monitor.js";
import { createABTestServiceHandler } from "./abtest/abtest-service.handler.js";
import { createSplitPolicyProvider } from "./abtest/traffic-policy.js";
import { VariantStatsCollector } from "./abtest/variant-stats.js";
import { CanaryController } from "./abtest/canary.use-cases.js";
import { createEnsembleModule, createEnsembleVersionReferenceChecker, type EnsembleRuntime } from "./ensemble/index.js";
import { ensembleFeedbackSince, latestFeedbackId } from "./inference/index.js";
import { createHealthServiceHandler } from "./health/health-service.handler.js";
import { createSessionCache } from "./inference/runtime/session-cache.js";
import { createOnnxInferenceRuntime } from "./inference/runtime/onnx/onnx-runtime.js";
import type { InferenceRuntime } from "./inference/runtime/inference-runtime.js";
import { createBudgetGate, createBudgetModule } from "./budget/index.js";
import { composeVerifiers, countLiveJobs, createTrainingModule, KNOWN_PROVIDER_IDS, metricReportsAfter, TrainingJobEntity } from "./training/index.js";
import { createMlflowClient, MlflowMirror, type TrackedJobSource, type TrackedJobState } from "./mlflow/index.js";
import { getModelVersion, parseVersionName } from "./registry/index.js";
import { budgetPreviewFromGate, createProviderHub, createProviderHubHandler, pluginProviderDefinition } from "./training/hub/index.js";
import { loadPriceCatalog } from "./training/catalog/price-catalog.js";
import { GPU_CLOUD_JOBS_PREFIX, gpuCloudJobStorage, objectStoreSpace, PlatformTransfer, startJobObjectSweep, transferStoreSpace } from "./training/transfer/index.js";

export interface AppDeps {
  readonly config: Config;
  readonly orm: Orm;
  readonly keys: ServerKeys;
  readonly logger: Logger;
  /** Runtime settings, loaded before the app is built (`config` already holds their stored values). */
  readonly settings: SettingsRuntime;
  /** What the configured plugins contributed, and their reports. @default none */
  readonly plugins?: LoadedPlugins;
  /** Defaults to the local directory store under the data dir. */
  readonly artifactStore?: ArtifactStore;
  /** Defaults to ONNX Runtime. */
  readonly runtime?: InferenceRuntime;
  /**
   * More services, served behind the same request gate and interceptors as the platform's own:
   * the RPC benchmark and the protocol tests register a probe service through it.
   */
  readonly extraRoutes?: (router: ConnectRouter, options: SecuredServiceOptions) => void;
}

/** What every authenticated service is registered with: the auth gate, the interceptors, the shutdown signal. */
export interface SecuredServiceOptions {
  readonly interceptors: Interceptor[];
  readonly requestGate: (ctx: HandlerContext) => void | Promise<void>;
  readonly shutdownSignal: AbortSignal;
}

export interface App {
  /** The Node request handler for every path: RPCs, probes, metrics. */
  readonly handler: RequestHandler;
  /** The gRPC fast path, offered every HTTP/2 stream before `handler` (see the listener). */
  readonly claimStream: NonNullable<ListenOptions["claimStream"]>;
  /** `grpc.health.v1` statuses, per Artenic service and "" for the whole server. */
  readonly statuses: ServingStatusRegistry;
  /** Flip readiness: `/readyz`, `/healthz` and gRPC health follow it. */
  setReady(ready: boolean): void;
  /** Recent predictions, for health and A/B statistics. */
  readonly recorder: PredictionRecorder;
  /** The event log's hub, Subscribe/ListEvents and retention: started before serving, stopped after. */
  readonly events: EventsModule;
  /** Loads every service's model in the background, so first requests are fast and health is known. */
  warmServices(): Promise<void>;
  /** Health evaluation and scheduled snapshots. */
  readonly monitor: HealthMonitor;
  /** Background work of traffic splits: A/B statistics flushing and the canary controller. */
  readonly splits: { start(): void; stop(): Promise<void> };
  /** Serves ensemble targets and learns from their outcomes: started with the server, stopped before the database closes. */
  readonly ensembles: EnsembleRuntime;
  /** Delivers the event log to webhooks: started after serving, stopped before the database closes. */
  readonly webhooks: { start(): void; stop(): Promise<void> };
  /** The Provider Hub: seeds provider rows and builds configured adapters before serving; checks connections periodically. */
  readonly providers: { start(): Promise<void>; stop(): Promise<void> };
  /** The training reconcile loop: started once the server's URL is known (jobs report to it), stopped before the database closes. */
  readonly training: {
    start(endpoint: string): void;
    stop(): Promise<void>;
    /** One pass of following ensemble training groups (the loop runs it periodically). */
    settleEnsembleGroups(): Promise<void>;
  };
  /** The MLflow mirror of training jobs when configured (a no-op otherwise): stopped before the database closes. */
  readonly mlflow: { start(): void; stop(): Promise<void> };
  /** Follows settings changes from the event log: started after the events module, stopped before it. */
  readonly settings: { start(): void; stop(): Promise<void> };
}

/** The settings runtime's feed: the event log narrowed to the settings topic, by section. */
function settingsFeed(hub: EventHub): SettingsChangeFeed {
  const selector = compileSelector({ topics: ["settings"], resources: [], types: [] });
  return {
    follow: (onSection, onGap) =>
      followEvents(
        hub,
        selector,
        (event) => {
          const m = /^scopes\/([^/]+)\/sections\/([^/]+)$/.exec(event.resource);
          if (m) onSection(m[1]!, m[2]!);
        },
        onGap,
      ),
  };
}

/**
 * Wires every service, interceptor and plain-HTTP endpoint into one request handler. It does not
 * listen: main.ts and the tests put it behind a listener.
 */
export function buildApp(deps: AppDeps): App {
  const { config, orm, keys, logger, settings } = deps;
  const plugins = deps.plugins ?? NO_PLUGINS;
  const providerIds = [...KNOWN_PROVIDER_IDS, ...plugins.providers.map((p) => p.provider.id)];
  const metrics = createMetrics();
  const events = createEventsModule({ config, orm, logger, metrics: metrics.events });
  const budgets = createBudgetModule({ config, orm, secretsKey: keys.secretsKey, logger, providerIds: () => providerIds });
  const verifier = createApiKeyVerifier(orm.em.fork(), keys.apiKeyHashKey);
  const store = deps.artifactStore ?? artifactStoreFor(config, logger);
  const budgetGate = createBudgetGate({ currency: config.currency });
  const training = createTrainingModule({ config, em: () => orm.em.fork(), keys, logger, store, budget: budgetGate });
  for (const p of plugins.providers) training.registry.register(p.provider);
  // Code in, status, logs and outputs back, for GPU clouds without an object store: signed URLs on this port.
  const transfer = new PlatformTransfer({ root: `${config.dataDir}/training/transfer`, secret: keys.apiKeyHashKey, maxUploadBytes: config.maxArtifactBytes, logger });
  // With an S3 artifact store, those job objects go to the bucket instead, where every replica sees them.
  const jobObjects = config.artifacts.kind === "s3" ? createS3ObjectStore({ ...config.artifacts.s3, prefix: `${config.artifacts.s3.prefix.replace(/\/+$/, "")}/${GPU_CLOUD_JOBS_PREFIX}` }) : undefined;
  const jobObjectSpaces = [transferStoreSpace(transfer.store), ...(jobObjects ? [objectStoreSpace(jobObjects)] : [])];
  let jobObjectSweep: { stop(): Promise<void> } | undefined;
  const hub = createProviderHub({
    secretsKey: keys.secretsKey,
    catalog: loadPriceCatalog(),
    currency: config.currency,
    registry: training.registry,
    logger,
    liveJobs: { countLiveJobs },
    definitions: plugins.providers.map((p) => pluginProviderDefinition(p.provider.id, p.info, p.pluginId)),
    services: { jobStorage: gpuCloudJobStorage(transfer, jobObjects) },
  });
  // Replaces the training module's static gate: the hub's stored state decides which providers take new jobs.
  training.registry.setGate(hub.gate);
  let providerChecks: { stop(): Promise<void> } | undefined;
  const mlflowStop = new AbortController();
  const mlflow = config.mlflow
    ? new MlflowMirror({
        em: () => orm.em.fork(),
        client: createMlflowClient({ ...config.mlflow, signal: mlflowStop.signal }),
        jobs: trackedTrainingJobs,
        logger,
        experimentName: config.mlflow.experimentName,
        pollMs: config.mlflow.pollMs,
        backoff: { baseMs: config.mlflow.backoffBaseMs, maxMs: config.mlflow.backoffMaxMs },
      })
    : undefined;
  const statuses = new ServingStatusRegistry([["", ServingStatus.NOT_SERVING]]);
  const cache = createSessionCache({
    runtime: deps.runtime ?? createOnnxInferenceRuntime(),
    maxModels: config.inference.maxLoadedModels,
    maxBytes: config.inference.maxLoadedBytes,
  });
  metrics.inference.sessionCacheGauges(() => cache.stats());
  const modelRouter = new ModelRouter({
    em: () => orm.em.fork(),
    store,
    cache,
    metrics: metrics.inference,
    // grpc.health.v1 answers per service too ("services/{id}"): NOT_SERVING when its model cannot load.
    onStatus: (serviceId, status) =>
      status ? statuses.set(`services/${serviceId}`, status.state === "serving" ? ServingStatus.SERVING : ServingStatus.NOT_SERVING) : undefined,
  });
  const recorder = new PredictionRecorder(config.inference.recorderCapacity);
  const ensembles = createEnsembleModule({
    em: () => orm.em.fork(),
    feedback: { latestId: latestFeedbackId, since: ensembleFeedbackSince },
    listeners: [{ ensembleChanged: async () => undefined, afterEnsembleChanged: () => modelRouter.invalidateAll() }],
    training: training.groups,
    trainingSettleIntervalMs: config.training.reconcileIntervalMs,
    customStrategies: new Map(plugins.strategies.map((s) => [s.strategy.name, s.strategy])),
    logger,
  });
  modelRouter.setEnsembleResolver(ensembles.runtime);
  // Registry changes that services follow (alias and stage moves), shared by every domain that moves them.
  const registryListeners = [createServiceRoutingListener(modelRouter)];
  modelRouter.addPolicyProvider(createSplitPolicyProvider());
  const variantStats = new VariantStatsCollector(recorder, () => orm.em.fork(), logger);
  const canaries = new CanaryController(() => orm.em.fork(), { router: modelRouter, listeners: registryListeners }, recorder, logger, config.canaryTickMs);
  const monitor = new HealthMonitor({
    em: () => orm.em.fork(),
    recorder,
    router: modelRouter,
    logger,
    snapshotIntervalMs: config.health.snapshotIntervalMs,
    snapshotRetentionMs: config.health.snapshotRetentionMs,
  });
  let ready = false;
  // Aborted at shutdown: ends open streams (watches, subscriptions) so the drain can finish.
  const shutdown = new AbortController();

  const interceptors = createPlatformInterceptors({ logger, metrics: metrics.rpc, orm });

  // Training jobs authenticate with their job-scoped token; everyone else with an API key.
  // Hot-reloaded settings: each running component follows its section.
  let defaultLimit = config.rateLimit;
  settings.subscribe("auth", (auth) => {
    defaultLimit = { requestsPerSecond: auth.rate_limit_rps, burst: auth.rate_limit_burst };
  });
  settings.subscribe("logging", (logging) => {
    logger.level = logging.level;
  });
  settings.subscribe("training", (t) => training.reconciler.setIntervalMs(t.reconcile_interval_ms));
  const requestGate = createAuthGate(composeVerifiers(training.jobTokens, verifier), new RateLimiter(), () => defaultLimit, (method, code) => {
    metrics.rpc.observe(method, code, 0);
    logger.info({ method, code }, "rpc rejected");
  });
  const secured: SecuredServiceOptions = { interceptors, requestGate, shutdownSignal: shutdown.signal };

  const routes = (router: ConnectRouter) => {
    router.service(
      RegistryService,
      createRegistryServiceHandler({
        store,
        referenceCheckers: [createServiceReferenceChecker(), createEnsembleVersionReferenceChecker()],
        listeners: registryListeners,
        maxArtifactBytes: config.maxArtifactBytes,
      }),
      secured,
    );
    router.service(InferenceService, createInferenceServiceHandler({ router: modelRouter, recorder, metrics: metrics.inference, store, ensembles: ensembles.runtime }), secured);
    router.service(GRPCInferenceService, createOipServiceHandler({ router: modelRouter, recorder, metrics: metrics.inference, serverVersion: "0.1.0" }), secured);
    router.service(
      AdminService,
      { ...createAdminServiceHandler({ apiKeyHashKey: keys.apiKeyHashKey, secretsKey: keys.secretsKey, verifier }), ...createSettingsHandler({ ...settings.deps, runtime: settings }), ...createPluginsHandler(plugins.reports) },
      secured,
    );
    // Contracts whose implementation belongs to later work answer UNIMPLEMENTED, after auth.
    router.service(HealthService, createHealthServiceHandler({ monitor }), secured);
    router.service(ABTestService, createABTestServiceHandler({ router: modelRouter, listeners: registryListeners, stats: variantStats }), secured);
    router.service(EventsService, events.handler, secured);
    router.service(EnsembleService, ensembles.handler, secured);
    router.service(BudgetService, budgets.handler, secured);
    router.service(TrainingService, { ...training.handler, ...createProviderHubHandler({ hub, budgets: budgetPreviewFromGate(budgetGate) }) }, secured);
    // Health and reflection are open: probes and tools call them without a key.
    registerGrpcHealth(router, statuses, { shutdownSignal: shutdown.signal });
    registerReflection(router, [...artenicServices, GRPCInferenceService, Health, ServerReflection, ServerReflectionV1alpha], { shutdownSignal: shutdown.signal });
    deps.extraRoutes?.(router, secured);
  };

  const rpc = createRpcAdapter({
    routes,
    readMaxBytes: config.maxMessageBytes,
    writeMaxBytes: config.maxMessageBytes,
    // The only Any fields served are google.rpc.Status details (per-row prediction statuses).
    jsonRegistry: createRegistry(file_google_rpc_error_details),
    grpcFastPath: config.grpcFastPath,
  });

  return {
    ensembles: ensembles.runtime,
    providers: {
      async start() {
        await hub.start(orm.em.fork());
        providerChecks = hub.startPeriodicChecks(() => orm.em.fork(), 5 * 60_000);
      },
      async stop() {
        await providerChecks?.stop();
      },
    },
    training: {
      start(endpoint) {
        transfer.setPublicUrl(config.training.endpoint ?? endpoint);
        training.start(endpoint);
        ensembles.trainingGroups.start();
        // Every replica sweeps: its own data dir, and the shared bucket idempotently.
        jobObjectSweep ??= startJobObjectSweep({
          em: () => orm.em.fork(),
          spaces: jobObjectSpaces,
          retentionMs: config.training.transferRetentionMs,
          intervalMs: JOB_OBJECT_SWEEP_MS,
          logger,
        });
      },
      async stop() {
        await jobObjectSweep?.stop();
        jobObjectSweep = undefined;
        await ensembles.trainingGroups.stop();
        await training.stop();
      },
      settleEnsembleGroups: () => ensembles.trainingGroups.settleNow(),
    },
    settings: {
      start: () => settings.start(settingsFeed(events.hub)),
      stop: () => settings.stop(),
    },
    mlflow: {
      start: () => mlflow?.start(),
      async stop() {
        mlflowStop.abort();
        await mlflow?.stop();
      },
    },
    webhooks: {
      start: () => budgets.webhookWorker.start(),
      stop: () => budgets.webhookWorker.stop(),
    },
    recorder,
    events,
    monitor,
    splits: {
      start() {
        variantStats.start();
        canaries.start();
      },
      async stop() {
        await canaries.stop();
        await variantStats.stop();
      },
    },
    async warmServices() {
      const ids = await listAllServiceIds(orm.em.fork());
      await Promise.all(ids.map((id) => modelRouter.prepare(id)));
    },
    handler: createHttpHandler({ rpc: rpc.handler, ready: () => ready, metrics: metrics.registry, corsOrigins: config.corsOrigins, routes: [transfer.routes] }),
    claimStream: rpc.claimStream,
    statuses,
    setReady(value) {
      ready = value;
      if (!value) {
        statuses.shutdown();
        shutdown.abort(new ConnectError("the server is shutting down", Code.Unavailable));
        return;
      }
      statuses.set("", ServingStatus.SERVING);
      for (const s of artenicServices) statuses.set(s.typeName, ServingStatus.SERVING);
    },
  };
}

/** How often leftover training job objects (transfers, `training-jobs/` in S3) are swept. */
const JOB_OBJECT_SWEEP_MS = 3600_000;

/** Staged uploads older than this are leftovers of a crashed process, removed at start. */
const STALE_UPLOAD_MS = 24 * 3600 * 1000;

/** The artifact store the configuration selects: the data dir (default) or an S3-compatible bucket. */
function artifactStoreFor(config: Config, logger: Logger): ArtifactStore {
  const artifacts = config.artifacts;
  const local = createLocalArtifactStore(`${config.dataDir}/artifacts`);
  if (artifacts.kind === "local") return local;
  const objects = createS3ObjectStore(artifacts.s3);
  const store = createObjectArtifactStore(objects, { presignSeconds: artifacts.presignSeconds });
  // The location only: the configuration's credentials are never logged.
  logger.info({ location: objects.location, endpoint: artifacts.s3.endpoint ?? "aws" }, "artifacts are stored in S3");
  store.sweep(STALE_UPLOAD_MS).then(
    (removed) => removed > 0 && logger.info({ removed }, "removed abandoned artifact uploads"),
    (err: unknown) => logger.warn({ err }, "could not sweep abandoned artifact uploads"),
  );
  // Artifacts stored in the data dir before the switch to S3 stay readable where they are.
  return layerArtifactStores(store, local);
}

/** The training domain as the MLflow mirror reads it (its TrackedJobSource port). */
const trackedTrainingJobs: TrackedJobSource = {
  async getJob(em, name) {
    const job = await em.findOne(TrainingJobEntity, { id: name.slice("trainingJobs/".length) }, { refresh: true });
    if (!job) return undefined;
    let output: { modelVersion: string; artifactUri: string; sha256: string } | undefined;
    if (job.outputModelVersion) {
      const { modelId, number } = parseVersionName(job.outputModelVersion, "output_model_version");
      const version = await getModelVersion(em, modelId, number).catch(() => undefined);
      if (version) output = { modelVersion: job.outputModelVersion, artifactUri: version.artifactUri, sha256: version.artifactSha256 };
    }
    return {
      name,
      displayName: job.displayName,
      state: job.state as TrackedJobState,
      stateMessage: job.stateMessage,
      hyperparameters: job.spec.hyperparameters,
      labels: job.labels,
      provider: job.provider,
      attempt: job.attempt,
      retryOf: job.retryOf,
      creator: job.creator,
      createTime: job.createTime,
      endTime: job.endTime ?? undefined,
      outputModel: job.spec.output?.model ?? "",
      output,
    };
  },
  async metricReportsAfter(em, name, afterId, limit) {
    const reports = await metricReportsAfter(em, name.slice("trainingJobs/".length), afterId, limit);
    return reports.map((r) => ({ id: r.id, step: r.step, time: r.time, metrics: r.metrics }));
  },
};
