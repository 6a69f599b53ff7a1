import type { EntityManager } from "@mikro-orm/core";
import { getModelVersion, resolveVersion, versionName, type ArtifactStore, type ModelSignatureInfo, type ModelVersionEntity } from "../registry/index.js";
import { AppError } from "../platform/errors/app-error.js";
import type { InferenceMetrics } from "../platform/metrics/metrics.js";
import { createTensorBatcher } from "./batching/micro-batcher.js";
import type { SessionCache } from "./runtime/session-cache.js";
import { ensembleNotAvailable, targetNotServable } from "./inference.errors.js";
import { getService, serviceName, servicesFollowingModel, targetOf, type TargetSpec } from "./service.use-cases.js";
import type { ServiceEntity } from "./service.entity.js";
import type { OutputValue, TensorData } from "./tensor.js";

/** Where one service's requests go right now, with the means to run them. */
export interface Route {
  readonly serviceId: string;
  readonly modelId: string;
  readonly versionNumber: number;
  /** `models/{m}/versions/{n}`. */
  readonly modelVersion: string;
  readonly signature: ModelSignatureInfo;
  /** Largest run the service allows for merged or stacked rows. */
  readonly maxBatchSize: number;
  /** Runs a columnar request, merged with concurrent ones when the service batches. */
  run(inputs: readonly TensorData[], rows: number): Promise<Record<string, OutputValue>>;
  /** Runs stacked rows directly, without the batcher's wait (rows are already a batch). */
  runDirect(inputs: readonly TensorData[]): Promise<Record<string, OutputValue>>;
  /** Makes sure the model is loaded and warm; throws MODEL_LOAD_FAILED when it cannot load. */
  load(): Promise<void>;
}

/** Serving state of a service in this process. */
export interface ServiceStatus {
  readonly state: "loading" | "serving" | "failed";
  readonly message: string;
  readonly modelVersion: string;
}

export interface ModelRouterOptions {
  readonly em: () => EntityManager;
  readonly store: ArtifactStore;
  readonly cache: SessionCache;
  readonly metrics: InferenceMetrics;
  /** How long a resolved route is trusted before it is resolved again. @default 1000 */
  readonly ttlMs?: number;
  /** Told whenever a service's serving state changes (gRPC health follows it). */
  readonly onStatus?: (serviceId: string, status: ServiceStatus | undefined) => void;
  readonly now?: () => number;
}

function sessionKey(version: string, s: { intraOpThreads: number; interOpThreads: number }): string {
  return `${version}|intra=${s.intraOpThreads}|inter=${s.interOpThreads}`;
}

/**
 * Resolves services to model versions and keeps the answer briefly, so that a prediction costs no
 * database query. Changes made in this process invalidate at once (`invalidate`, `invalidateModel`);
 * changes made by another replica are seen within the TTL. A route keeps its batcher while the
 * service keeps its version and settings.
 */
export class ModelRouter {
  private readonly routes = new Map<string, { expires: number; route: Promise<Route>; fingerprint?: string }>();
  private readonly statuses = new Map<string, ServiceStatus>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ModelRouterOptions) {
    this.ttlMs = options.ttlMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** The route of a service, resolved at most once per TTL. */
  route(serviceId: string): Promise<Route> {
    const at = this.now();
    const cached = this.routes.get(serviceId);
    if (cached && cached.expires > at) return cached.route;
    const previous = cached;
    const entry: { expires: number; route: Promise<Route>; fingerprint?: string } = { expires: at + this.ttlMs, route: Promise.resolve(undefined as never) };
    entry.route = (async () => {
      const em = this.options.em();
      const service = await getService(em, serviceId);
      const version = await this.resolve(em, targetOf(service), serviceName(serviceId));
      const fingerprint = `${versionName(version.model.id, version.number)}|${service.batchingEnabled}|${service.maxBatchSize}|${service.maxWaitMicros}|${service.intraOpThreads}|${service.interOpThreads}`;
      entry.fingerprint = fingerprint;
      // Same version and settings as before: keep the previous route and its batcher.
      if (previous?.fingerprint === fingerprint) {
        const kept = await previous.route.catch(() => undefined);
        if (kept) return kept;
      }
      return this.build(service, version);
    })();
    entry.route.catch(() => this.routes.delete(serviceId));
    this.routes.set(serviceId, entry);
    return entry.route;
  }

  /** Resolves a target to a servable version: ONNX, stored in the platform, with a signature. */
  async resolve(em: EntityManager, target: TargetSpec, serviceLabel: string): Promise<ModelVersionEntity> {
    let version: ModelVersionEntity;
    switch (target.kind) {
      case "model_version":
        version = await getModelVersion(em, target.modelId, target.number);
        break;
      case "model_alias":
        version = await resolveVersion(em, target.modelId, { kind: "alias", alias: target.alias });
        break;
      case "model_stage":
        version = await resolveVersion(em, target.modelId, { kind: "stage", stage: "production" });
        break;
      case "ensemble":
        throw ensembleNotAvailable(`ensembles/${target.ensembleId}`);
    }
    const name = versionName(version.model.id, version.number);
    if (version.artifactFormat !== "onnx" || !version.signature) throw targetNotServable(name, `${serviceLabel} needs an ONNX artifact with a signature`);
    if (version.artifactExternal || !this.options.store.owns(version.artifactUri)) throw targetNotServable(name, "its artifact is not stored in the platform");
    return version;
  }

  /**
   * Loads and warms a version's session (used before switching a service to it, so a model that
   * cannot load never takes traffic). Throws MODEL_LOAD_FAILED with the runtime's reason.
   */
  async warm(version: ModelVersionEntity, settings: { intraOpThreads: number; interOpThreads: number }): Promise<void> {
    const lease = await this.acquire(version, settings);
    lease.release();
  }

  private acquire(version: ModelVersionEntity, settings: { intraOpThreads: number; interOpThreads: number }) {
    const name = versionName(version.model.id, version.number);
    const uri = version.artifactUri;
    const signature = version.signature as ModelSignatureInfo;
    return this.options.cache.acquire(
      sessionKey(name, settings),
      async () => ({ bytes: await this.options.store.readAll(uri), signature }),
      { intraOpThreads: settings.intraOpThreads, interOpThreads: settings.interOpThreads },
    );
  }

  private build(service: ServiceEntity, version: ModelVersionEntity): Route {
    const modelVersion = versionName(version.model.id, version.number);
    const settings = { intraOpThreads: service.intraOpThreads, interOpThreads: service.interOpThreads };
    const runDirect = async (inputs: readonly TensorData[]) => {
      const lease = await this.acquire(version, settings);
      try {
        return await lease.model.run(inputs);
      } finally {
        lease.release();
      }
    };
    const metrics = this.options.metrics;
    const batcher = service.batchingEnabled
      ? createTensorBatcher({
          maxBatchSize: service.maxBatchSize,
          maxWaitMs: service.maxWaitMicros / 1000,
          run: (inputs) => runDirect(inputs),
          onBatch: (size) => metrics.observeBatch(size),
        })
      : undefined;
    return {
      serviceId: service.id,
      modelId: version.model.id,
      versionNumber: version.number,
      modelVersion,
      signature: version.signature as ModelSignatureInfo,
      maxBatchSize: service.batchingEnabled ? service.maxBatchSize : 1024,
      run: batcher ? (inputs, rows) => batcher.submit([...inputs], rows) : (inputs) => runDirect(inputs),
      runDirect,
      load: () => this.warm(version, settings),
    };
  }

  /** Forgets a service's route; the next request resolves it again. */
  invalidate(serviceId: string): void {
    this.routes.delete(serviceId);
  }

  /** Forgets every route (an alias or stage of some model moved). */
  invalidateAll(): void {
    this.routes.clear();
  }

  /**
   * Resolves and loads a service in the background, recording LOADING, SERVING or FAILED with the
   * reason for GetService.
   */
  prepare(serviceId: string): Promise<void> {
    this.invalidate(serviceId);
    this.setStatus(serviceId, { state: "loading", message: "", modelVersion: this.statuses.get(serviceId)?.modelVersion ?? "" });
    return this.route(serviceId)
      .then(async (route) => {
        const em = this.options.em();
        const service = await getService(em, serviceId);
        const version = await getModelVersion(em, route.modelId, route.versionNumber);
        await this.warm(version, service);
        this.setStatus(serviceId, { state: "serving", message: "", modelVersion: route.modelVersion });
      })
      .catch((e: unknown) => {
        this.setStatus(serviceId, { state: "failed", message: e instanceof AppError ? e.message : "the model could not be loaded", modelVersion: "" });
      });
  }

  private setStatus(serviceId: string, status: ServiceStatus | undefined): void {
    const before = this.statuses.get(serviceId);
    if (status) this.statuses.set(serviceId, status);
    else this.statuses.delete(serviceId);
    if (before?.state !== status?.state) this.options.onStatus?.(serviceId, status);
  }

  /** Records that a service's model failed to load (a request found out). */
  markFailed(serviceId: string, message: string): void {
    this.setStatus(serviceId, { state: "failed", message, modelVersion: "" });
  }

  /** This process's view of a service: SERVING once a request or a warm-up loaded its model. */
  status(serviceId: string): ServiceStatus | undefined {
    return this.statuses.get(serviceId);
  }

  markServing(serviceId: string, modelVersion: string): void {
    const s = this.statuses.get(serviceId);
    if (s?.state !== "serving" || s.modelVersion !== modelVersion) this.setStatus(serviceId, { state: "serving", message: "", modelVersion });
  }

  /** Ids of the services whose target follows a model. */
  async servicesOfModel(modelId: string): Promise<string[]> {
    return (await servicesFollowingModel(this.options.em(), modelId)).map((s) => s.id);
  }

  forget(serviceId: string): void {
    this.routes.delete(serviceId);
    this.setStatus(serviceId, undefined);
  }
}
