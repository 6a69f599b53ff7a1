/**
 * Ensemble combination strategies: pure, dependency-free functions the ensemble runtime calls.
 *
 * - Combining a batch of member answers: {@link weightedAverage} (also DYNAMIC_WEIGHTING with
 *   {@link dynamicWeightsFor}), {@link majorityVote}, {@link stackingCombine},
 *   {@link metaLearnerInput}/{@link metaLearnerOutput} around the ONNX meta model, and
 *   {@link bestMember} for the BEST_MEMBER fallback.
 * - Learning from reported outcomes: {@link updateDynamicWeights} (with {@link memberOutcomes}),
 *   {@link recordStackingOutcomes} (with {@link stackingObservation}, {@link fitStacking}).
 * - Policies: {@link quorumMet}, {@link pruneCandidates}, {@link evolveStrategy}.
 *
 * Every combining function takes `answers` in member order, failures included, and returns the
 * combined outputs with who answered and who failed.
 */
export {
  BUILTIN_STRATEGY_NAMES,
  EnsembleStrategyError,
  alignProbabilities,
  answeredBatch,
  argmaxRows,
  classIndexMap,
  normaliseWeights,
  participation,
  resolveConfiguredWeight,
  rowsOf,
  unionClasses,
  type AnsweredBatch,
  type AnsweredEntry,
  type ClassificationOutput,
  type CombinedAnswer,
  type CombinedClassification,
  type CombinedRegression,
  type CustomStrategy,
  type EnsembleStrategyErrorCode,
  type EnsembleTask,
  type FailedMember,
  type MemberAnswer,
  type MemberFailure,
  type MemberOutput,
  type MemberResult,
  type Participation,
  type RegressionOutput,
  type StrategyName,
} from "./common.js";
export { VOTE_TIE_TOLERANCE, bestMember, majorityVote, weightedAverage, type CombineOptions } from "./combine.js";
export {
  DYNAMIC_DEFAULTS,
  MIN_ABSOLUTE_ERROR,
  createDynamicState,
  decayedMean,
  dynamicWeightsFor,
  memberOutcomes,
  resolveDynamicConfig,
  updateDynamicWeights,
  withDynamicMembers,
  type DynamicMemberState,
  type DynamicObservation,
  type DynamicWeightingConfig,
  type DynamicWeightingState,
  type MemberOutcome,
} from "./dynamic.js";
export {
  STACKING_DEFAULTS,
  createStackingState,
  fitStacking,
  recordStackingOutcomes,
  resolveStackingConfig,
  stackingCombine,
  stackingObservation,
  withStackingMembers,
  type StackingConfig,
  type StackingModel,
  type StackingObservation,
  type StackingState,
  type StackingUpdate,
} from "./stacking.js";
export { metaLearnerInput, metaLearnerOutput, type MetaLearnerInput } from "./meta-learner.js";
export {
  PRUNE_DEFAULTS,
  defaultEvolutionRules,
  effectiveQuorum,
  evolveStrategy,
  pruneCandidates,
  quorumMet,
  resolvePruneConfig,
  type EvolutionContext,
  type EvolutionDecision,
  type EvolutionRule,
  type PruneCandidate,
  type PruneConfig,
  type PruneMember,
} from "./policy.js";
