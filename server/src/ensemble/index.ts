/**
 * The ensemble domain's public surface: the EnsembleService handler, the runtime that serves
 * ensembles for the inference domain and learns from their outcomes, and the ports other domains
 * implement (reference checks, change listeners, the feedback source).
 */
import type { EntityManager } from "@mikro-orm/core";
import type { ServiceImpl } from "@connectrpc/connect";
import type { EnsembleService } from "@artenic/gen/artenic/ensemble/v1/ensemble_service_pb";
import { createEnsembleServiceHandler } from "./ensemble-service.handler.js";
import { createEnsembleRuntime, type EnsembleFeedbackSource, type EnsembleRuntime, type EnsembleRuntimeOptions } from "./ensemble-runtime.js";
import type { CustomStrategy } from "./strategies/index.js";
import { createServiceEnsembleReferenceChecker, type EnsembleChangeListener, type EnsembleDeps, type EnsembleReferenceChecker } from "./ensemble.use-cases.js";

export { createEnsembleServiceHandler } from "./ensemble-service.handler.js";
export { createEnsembleRuntime, type EnsembleRuntime, type EnsembleRuntimeOptions, type EnsembleFeedback, type EnsembleFeedbackSource } from "./ensemble-runtime.js";
export {
  createEnsembleVersionReferenceChecker,
  createServiceEnsembleReferenceChecker,
  type EnsembleChangeListener,
  type EnsembleDeps,
  type EnsembleReferenceChecker,
} from "./ensemble.use-cases.js";
export { ensembleName, snapshotName } from "./ensemble-state.js";

export interface EnsembleModuleOptions {
  /** A fresh unit of work for background work (learning, loading ensembles). */
  readonly em: () => EntityManager;
  /** Outcomes reported for ensemble predictions (implemented by the inference domain). */
  readonly feedback: EnsembleFeedbackSource;
  /**
   * What may refer to an ensemble (A/B variants, canaries…). A checker for services, through the
   * inference domain's public reads, is always included.
   */
  readonly referenceCheckers?: readonly EnsembleReferenceChecker[];
  /** Told of every new ensemble version (e.g. to add a line to the history of the services that target it). */
  readonly listeners?: readonly EnsembleChangeListener[];
  /** Strategies added by plugins, by name: ensembles with the PLUGIN strategy use them. */
  readonly customStrategies?: ReadonlyMap<string, CustomStrategy>;
  readonly logger?: EnsembleRuntimeOptions["logger"];
  readonly learnIntervalMs?: number;
  readonly cacheTtlMs?: number;
  readonly memoryRows?: number;
}

export interface EnsembleModule {
  /** `artenic.ensemble.v1.EnsembleService`. */
  readonly handler: ServiceImpl<typeof EnsembleService>;
  /** The resolver for the model router, `recordPrediction` for the predict paths, `start`/`stop` for the server. */
  readonly runtime: EnsembleRuntime;
}

/**
 * Wires the domain: one runtime, and a handler whose changes invalidate the runtime's cache and
 * reach the given listeners.
 */
export function createEnsembleModule(options: EnsembleModuleOptions): EnsembleModule {
  const listeners: EnsembleChangeListener[] = [...(options.listeners ?? [])];
  const deps: EnsembleDeps = {
    referenceCheckers: [createServiceEnsembleReferenceChecker(), ...(options.referenceCheckers ?? [])],
    listeners,
    ...(options.customStrategies ? { customStrategies: options.customStrategies } : {}),
  };
  const runtime = createEnsembleRuntime({
    em: options.em,
    feedback: options.feedback,
    deps,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.learnIntervalMs !== undefined ? { learnIntervalMs: options.learnIntervalMs } : {}),
    ...(options.cacheTtlMs !== undefined ? { cacheTtlMs: options.cacheTtlMs } : {}),
    ...(options.memoryRows !== undefined ? { memoryRows: options.memoryRows } : {}),
  });
  listeners.unshift(runtime.listener);
  return { handler: createEnsembleServiceHandler(deps), runtime };
}
