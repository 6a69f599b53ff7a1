// The training domain's public surface: the wiring (app.ts, main.ts), the Provider Hub and the
// provider adapters use only this.
import { join } from "node:path";
import type { EntityManager } from "@mikro-orm/core";
import type { ServiceImpl } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { TrainingService } from "@artenic/gen/artenic/training/v1/training_service_pb";
import type { BudgetGate } from "../budget/budget-gate.js";
import type { ApiKeyVerifier } from "../platform/auth/principal.js";
import type { Config } from "../platform/config/config.js";
import type { ServerKeys } from "../platform/crypto/master-key.js";
import type { ArtifactStore } from "../registry/index.js";
import { JobSignals } from "./job-signals.js";
import { createJobTokenVerifier } from "./job-token.js";
import { createStaticProviderGate, ProviderRegistry } from "./provider-registry.js";
import { FakeComputeProvider } from "./providers/fake/index.js";
import { LocalComputeProvider } from "./providers/local/index.js";
import { TrainingReconciler } from "./reconciler.js";
import { createTrainingJobsHandler } from "./training-service.handler.js";
import { createTrainingGroups, type TrainingGroups } from "./training-groups.js";

export type { ComputeProvider, LaunchSpec, Offering, ProviderHandle, ProviderJobState, ProviderStatus } from "./compute-provider.js";
export { KNOWN_PROVIDER_IDS, ProviderRegistry, createStaticProviderGate, type ProviderGate, type ProviderUsability } from "./provider-registry.js";
export { composeVerifiers, JOB_TOKEN_PREFIX } from "./job-token.js";
export { TrainingReconciler } from "./reconciler.js";
export { LocalComputeProvider, type LocalProviderOptions } from "./providers/local/index.js";
export { FakeComputeProvider, parseFakeScript, type FakeProviderOptions } from "./providers/fake/index.js";
export { DEFAULT_RESOURCES, effectiveResources, estimateCost, findCandidates, rank, speedScore, type Candidate, type PlacementConstraints } from "./placement.js";
export { isTerminal, TERMINAL_STATES } from "./job-state.js";
export { TrainingJobEntity } from "./training-job.entity.js";
export { countLiveJobs, metricReportsAfter } from "./training-job.use-cases.js";
export { createTrainingGroups, type GroupJobOutcome, type GroupJobTemplate, type GroupMemberJob, type PlannedGroup, type TrainingGroups } from "./training-groups.js";

export interface TrainingModuleDeps {
  readonly config: Config;
  /** A fresh unit of work per background step. */
  readonly em: () => EntityManager;
  readonly keys: ServerKeys;
  readonly logger: Logger;
  /** Where registered model versions' artifacts go (the registry's store). */
  readonly store: ArtifactStore;
  /** Admission and settlement against budgets (the budget domain's gate). */
  readonly budget: BudgetGate;
  /** A registry shared with the Provider Hub and other adapters; a new one otherwise. */
  readonly registry?: ProviderRegistry;
  readonly now?: () => Date;
}

/** The training capability of one server process. */
export interface TrainingModule {
  /** Provider adapters by id; others register theirs here (and may replace the gate). */
  readonly registry: ProviderRegistry;
  /** The job half of TrainingService, to merge with the Provider Hub's half. */
  readonly handler: Partial<ServiceImpl<typeof TrainingService>>;
  /** Recognises job-scoped tokens; compose it with the API-key verifier in the auth gate. */
  readonly jobTokens: ApiKeyVerifier;
  readonly reconciler: TrainingReconciler;
  /** Dispatches groups of jobs for other domains (an ensemble retraining its members). */
  readonly groups: TrainingGroups;
  /** The fake adapter, when `fake` is among the configured providers (development and tests). */
  readonly fake: FakeComputeProvider | undefined;
  /** Starts the reconcile loop; `endpoint` is the server's own URL, handed to jobs unless configured. */
  start(endpoint: string): void;
  /** Stops the loop and gives its lease up. Running jobs keep running; the next leader follows them. */
  stop(): Promise<void>;
}

/**
 * Builds the training capability from configuration: the `local` and `fake` adapters when listed in
 * ARTENIC_TRAINING_PROVIDERS (which also enables them for new jobs until the Provider Hub replaces
 * the gate), the job handler, the job-token verifier and the reconcile loop.
 */
export function createTrainingModule(deps: TrainingModuleDeps): TrainingModule {
  const { config, logger } = deps;
  const t = config.training;
  const registry = deps.registry ?? new ProviderRegistry();
  registry.setGate(createStaticProviderGate(t.providers));
  if (t.providers.includes("local")) {
    registry.register(
      new LocalComputeProvider({
        rootDir: join(config.dataDir, "training", "local"),
        maxConcurrentJobs: t.localMaxConcurrentJobs,
        pricePerHour: t.localPricePerHour,
      }),
    );
  }
  const fake = t.providers.includes("fake") ? new FakeComputeProvider() : undefined;
  if (fake) registry.register(fake);
  const signals = new JobSignals();
  let reconciler: TrainingReconciler | undefined;
  const common = {
    registry,
    budget: deps.budget,
    secretsKey: deps.keys.secretsKey,
    currency: config.currency,
    codeRoots: t.codeRoots,
    dataDir: config.dataDir,
    signals,
    nudge: () => reconciler?.nudge(),
    logger,
  };
  reconciler = new TrainingReconciler({
    ...common,
    em: deps.em,
    hashKey: deps.keys.apiKeyHashKey,
    store: deps.store,
    intervalMs: t.reconcileIntervalMs,
    leaseMs: t.leaseMs,
    ...(t.endpoint ? { endpoint: t.endpoint } : {}),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const loop = reconciler;
  return {
    registry,
    handler: createTrainingJobsHandler({ ...common, watchHeartbeatMs: t.watchHeartbeatMs }),
    jobTokens: createJobTokenVerifier(deps.em, deps.keys.apiKeyHashKey),
    reconciler: loop,
    groups: createTrainingGroups(common),
    fake,
    start(endpoint) {
      loop.start(endpoint);
    },
    stop() {
      return loop.stop();
    },
  };
}
