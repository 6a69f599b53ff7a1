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
import type { EnsembleResolver, EnsembleRunResult } from "./ensemble-port.js";

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
  /** For ensembles: a run that also tells who answered. */
  readonly runEnsemble?: (inputs: readonly TensorData[]) => Promise<EnsembleRunResult>;
}

/** Which arm of a traffic split answers a request. */
export interface Arm {
  readonly route: Route;
  /** The A/B variant id, or the canary arm (`control` or `candidate`). */
  readonly variant: string;
}

/**
 * A split of a service's traffic in force right now (an A/B test or a canary rollout), built by the
 * domain that owns it and cached with the service's route.
 */
export interface TrafficPolicy {
  readonly kind: "ab_test" | "canary";
  /** `abTests/{id}` or `canaryRollouts/{id}`. */
  readonly name: string;
  /** The arm that answers a request with this routing key ("" when the caller sent none). */
  choose(routingKey: string): Arm;
  /** Arms that get a copy of this request after the caller is answered (A/B shadow variants). */
  shadows(routingKey: string): readonly Arm[];
}

/**
 * Domains that split traffic (A/B tests, canaries) register a provider: asked whenever a service's
 * routing is resolved, it returns the policy in force or undefined. `routeFor` builds (and caches)
 * the route of any version for the service.
 */
export interface TrafficPolicyProvider {
  policyFor(
    em: EntityManager,
    service: ServiceEntity,
    main: Route,
    routeFor: (target: TargetSpec) => Promise<Route>,
  ): Promise<TrafficPolicy | undefined>;
}

/** Where one request goes: the answering route and, under a split, which arm it is. */
export interface Pick {
  readonly route: Route;
  readonly abTest: string;
  readonly canaryRollout: string;
  readonly variant: string;
  readonly shadows: readonly Arm[];
}

interface Dispatch {
  readonly main: Route;
  readonly policy: TrafficPolicy | undefined;
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
  private readonly routes = new Map<string, { expires: number; dispatch: Promise<Dispatch> }>();
  /** Built routes by version and settings, so batchers survive re-resolution. */
  private readonly built = new Map<string, Route>();
  private readonly policyProviders: TrafficPolicyProvider[] = [];
  private readonly statuses = new Map<string, ServiceStatus>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ModelRouterOptions) {
    this.ttlMs = options.ttlMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  private ensembles: EnsembleResolver | undefined;

  /** Registers the ensemble domain, which serves ensemble targets. */
  setEnsembleResolver(resolver: EnsembleResolver): void {
    this.ensembles = resolver;
  }

  /** The route of an ensemble target: members run under the service's settings and combine. */
  async ensembleRoute(em: EntityManager, service: ServiceEntity, ensembleId: string): Promise<Route> {
    if (!this.ensembles) throw ensembleNotAvailable(`ensembles/${ensembleId}`);
    const runner = await this.ensembles.resolve(em, ensembleId, async (modelId, number) => this.routeForVersion(service, await this.resolve(em, { kind: "model_version", modelId, number }, `ensembles/${ensembleId}`)));
    const run = async (inputs: readonly TensorData[]) => (await runner.run(inputs)).outputs;
    return {
      serviceId: service.id,
      modelId: "",
      versionNumber: 0,
      modelVersion: runner.name,
      signature: runner.signature,
      maxBatchSize: 1024,
      run,
      runDirect: run,
      load: () => runner.load(),
      runEnsemble: (inputs) => runner.run(inputs),
    };
  }

  /** Registers a domain that splits traffic (see TrafficPolicyProvider). */
  addPolicyProvider(provider: TrafficPolicyProvider): void {
    this.policyProviders.push(provider);
  }

  /** A service's routing (its own route and any split in force), resolved at most once per TTL. */
  private dispatch(serviceId: string): Promise<Dispatch> {
    const at = this.now();
    const cached = this.routes.get(serviceId);
    if (cached && cached.expires > at) return cached.dispatch;
    const entry = {
      expires: at + this.ttlMs,
      dispatch: (async (): Promise<Dispatch> => {
        const em = this.options.em();
        const service = await getService(em, serviceId);
        const routeFor = async (target: TargetSpec): Promise<Route> =>
          target.kind === "ensemble" ? this.ensembleRoute(em, service, target.ensembleId) : this.routeForVersion(service, await this.resolve(em, target, serviceName(serviceId)));
        const main = await routeFor(targetOf(service));
        let policy: TrafficPolicy | undefined;
        for (const provider of this.policyProviders) {
          policy = await provider.policyFor(em, service, main, routeFor);
          if (policy) break;
        }
        return { main, policy };
      })(),
    };
    entry.dispatch.catch(() => this.routes.delete(serviceId));
    this.routes.set(serviceId, entry);
    return entry.dispatch;
  }

  /** The route of a service's own target (no split), resolved at most once per TTL. */
  async route(serviceId: string): Promise<Route> {
    return (await this.dispatch(serviceId)).main;
  }

  /** Where a request with this routing key goes, splits included. */
  async pick(serviceId: string, routingKey: string): Promise<Pick> {
    const { main, policy } = await this.dispatch(serviceId);
    if (!policy) return { route: main, abTest: "", canaryRollout: "", variant: "", shadows: [] };
    const arm = policy.choose(routingKey);
    return {
      route: arm.route,
      abTest: policy.kind === "ab_test" ? policy.name : "",
      canaryRollout: policy.kind === "canary" ? policy.name : "",
      variant: arm.variant,
      shadows: policy.shadows(routingKey),
    };
  }

  /** The route of a given version under a service's settings; kept while version and settings stay. */
  routeForVersion(service: ServiceEntity, version: ModelVersionEntity): Route {
    const key = `${service.id}|${versionName(version.model.id, version.number)}|${service.batchingEnabled}|${service.maxBatchSize}|${service.maxWaitMicros}|${service.intraOpThreads}|${service.interOpThreads}`;
    let route = this.built.get(key);
    if (!route) {
      // Bounded: a long-running server sees many versions; the oldest built routes are dropped.
      if (this.built.size >= 1024) this.built.delete(this.built.keys().next().value!);
      route = this.build(service, version);
      this.built.set(key, route);
    }
    return route;
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
   * Resolves a target for a service being created or re-pointed: the name of what will answer
   * (a version, or an ensemble snapshot), its signature, and a way to load it before switching.
   */
  async resolveTargetName(em: EntityManager, target: TargetSpec, label: string, service: ServiceEntity): Promise<{ name: string; signature: ModelSignatureInfo; load: () => Promise<void> }> {
    const route = target.kind === "ensemble" ? await this.ensembleRoute(em, service, target.ensembleId) : this.build(service, await this.resolve(em, target, label));
    return { name: route.modelVersion, signature: route.signature, load: () => route.load() };
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
        await route.load();
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
