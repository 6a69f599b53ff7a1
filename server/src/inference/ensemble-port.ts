import type { EntityManager } from "@mikro-orm/core";
import type { ModelSignatureInfo } from "../registry/index.js";
import type { Route } from "./model-router.js";
import type { OutputValue, TensorData } from "./tensor.js";

/** How one member of an ensemble fared on a request. */
export interface EnsembleMemberOutcome {
  /** `models/{m}/versions/{n}`. */
  readonly modelVersion: string;
  readonly ok: boolean;
  /** The reason when not ok (a timeout, a failed run). */
  readonly error: string;
  readonly latencyMs: number;
  /** The weight the member had in the combination (0 when it did not answer). */
  readonly weight: number;
}

/** The result of an ensemble run: the combined outputs and who answered. */
export interface EnsembleRunResult {
  /**
   * Combined outputs in the same form as a single model's: for classification a label tensor
   * (`label`, string) and per-row class probabilities (`probabilities`, sequence of maps); for
   * regression a float tensor [rows, 1] named like the first member's output.
   */
  readonly outputs: Record<string, OutputValue>;
  readonly members: readonly EnsembleMemberOutcome[];
  /** Whether this answer came from the fallback (quorum not met). */
  readonly degraded: boolean;
}

/** An ensemble ready to serve, at one snapshot of its configuration. */
export interface EnsembleRunner {
  /** `ensembles/{e}/snapshots/{s}`: what answered, recorded on predictions. */
  readonly name: string;
  /** The inputs every member accepts (the first member's signature). */
  readonly signature: ModelSignatureInfo;
  run(inputs: readonly TensorData[]): Promise<EnsembleRunResult>;
  /** Loads every member's model. */
  load(): Promise<void>;
}

/**
 * The ensemble domain implements this; the router asks it to build a runner for an ensemble
 * target, giving it the route of any member version under the service's settings.
 */
export interface EnsembleResolver {
  resolve(em: EntityManager, ensembleId: string, memberRoute: (modelId: string, number: number) => Promise<Route>): Promise<EnsembleRunner>;
}
