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
import {
  createServiceEnsembleReferenceChecker,
  notifyAfterCommit,
  settleTrainingGroups,
  type EnsembleChangeListener,
  type EnsembleDeps,
  type EnsembleReferenceChecker,
  type EnsembleTrainingPort,
} from "./ensemble.use-cases.js";
import type { CustomStrategy } from "./strategies/index.js";

export { createEnsembleServiceHandler } from "./ensemble-service.handler.js";
export { createEnsembleRuntime, type EnsembleRuntime, type EnsembleRuntimeOptions, type EnsembleFeedback, type EnsembleFeedbackSource } from "./ensemble-runtime.js";
export {
  createEnsembleVersionReferenceChecker,
  createServiceEnsembleReferenceChecker,
  type EnsembleChangeListener,
  type EnsembleDeps,
  type EnsembleReferenceChecker,
  type EnsembleTrainingPort,
  type MemberTrainingJobInput,
  type MemberTrainingTemplate,
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
  /** Jobs for TrainEnsembleMembers (the training domain); without it the method is refused. */
  readonly training?: EnsembleTrainingPort;
  /** How often running training groups are followed. @default 5000 */
  readonly trainingSettleIntervalMs?: number;
  readonly cacheTtlMs?: number;
  readonly memoryRows?: number;
}

export interface EnsembleModule {
  /** `artenic.ensemble.v1.EnsembleService`. */
  readonly handler: ServiceImpl<typeof EnsembleService>;
  /** The resolver for the model router, `recordPrediction` for the predict paths, `start`/`stop` for the server. */
  readonly runtime: EnsembleRuntime;
  /** Follows training groups until their jobs end (replacing members when asked); started with the server. */
  readonly trainingGroups: { start(): void; stop(): Promise<void>; settleNow(): Promise<void> };
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
    ...(options.training ? { training: options.training } : {}),
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
  return { handler: createEnsembleServiceHandler(deps), runtime, trainingGroups: trainingGroupLoop(options, deps) };
}

/** A timer that settles training groups; passes never overlap, and `stop` waits for the current one. */
function trainingGroupLoop(options: EnsembleModuleOptions, deps: EnsembleDeps): EnsembleModule["trainingGroups"] {
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> | undefined;
  const settleNow = (): Promise<void> => {
    const training = options.training;
    if (!training) return Promise.resolve();
    pass ??= settleTrainingGroups(options.em(), deps, training, () => new Date())
      .then((changed) => changed.forEach((id) => notifyAfterCommit(deps, id)))
      .finally(() => (pass = undefined));
    return pass;
  };
  return {
    start() {
      if (timer || !options.training) return;
      timer = setInterval(() => void settleNow().catch((e: unknown) => options.logger?.warn({ err: e }, "settling training groups failed")), options.trainingSettleIntervalMs ?? 5000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await pass?.catch(() => undefined);
    },
    settleNow,
  };
}
