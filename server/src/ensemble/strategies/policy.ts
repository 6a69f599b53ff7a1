/**
 * Ensemble policies that decide rather than combine: quorum, auto-prune and auto-evolution.
 */
import { EnsembleStrategyError, type EnsembleTask, type StrategyName } from "./common.js";

// ── Quorum ──────────────────────────────────────────────────────────────────────────────────────

/**
 * The number of answers needed: `quorum` when set (> 0), else the proto's default
 * max(1, floor(total / 2)). A configured quorum above `total` (possible after members were
 * removed) is capped at `total`, so an ensemble whose members all answer always meets it; the
 * result is never below 1.
 */
export function effectiveQuorum(total: number, quorum: number): number {
  if (!(Number.isInteger(total) && total >= 0 && Number.isInteger(quorum) && quorum >= 0)) {
    throw new EnsembleStrategyError("INVALID_ARGUMENT", `quorum and member count must be non-negative integers (${quorum}, ${total})`);
  }
  const needed = quorum === 0 ? Math.floor(total / 2) : Math.min(quorum, total);
  return Math.max(1, needed);
}

/**
 * Whether `answered` of `total` members answering meets the quorum (see {@link effectiveQuorum}).
 * @param quorum the configured quorum; 0 means the default.
 */
export function quorumMet(answered: number, total: number, quorum: number): boolean {
  return answered >= effectiveQuorum(total, quorum);
}

// ── Auto-prune ──────────────────────────────────────────────────────────────────────────────────

/** A member as auto-prune sees it. */
export interface PruneMember {
  readonly id: string;
  /** The effective weight (normalised; for stacking the fitted coefficient). */
  readonly weight: number;
  /** Reported outcomes joined to this member. */
  readonly observations: number;
}

/** Auto-prune settings, resolved (see {@link resolvePruneConfig}). */
export interface PruneConfig {
  /** A member under this weight can be removed. */
  readonly threshold: number;
  /** The best-weighted members always kept. */
  readonly minMembers: number;
  /** Outcomes a member needs before it can be removed. */
  readonly minObservations: number;
}

/** The proto's documented defaults: threshold 0.05, keep 2, 50 outcomes. */
export const PRUNE_DEFAULTS: PruneConfig = Object.freeze({ threshold: 0.05, minMembers: 2, minObservations: 50 });

/**
 * Resolves the proto's AutoPrunePolicy: `weightThreshold` unset → 0.05 (0 is a real threshold),
 * `minMembers` 0 → 2, `minObservations` 0 → 50.
 */
export function resolvePruneConfig(raw: {
  readonly weightThreshold?: number | undefined;
  readonly minMembers?: number | undefined;
  readonly minObservations?: number | undefined;
} = {}): PruneConfig {
  return {
    threshold: raw.weightThreshold ?? PRUNE_DEFAULTS.threshold,
    minMembers: raw.minMembers === undefined || raw.minMembers === 0 ? PRUNE_DEFAULTS.minMembers : raw.minMembers,
    minObservations:
      raw.minObservations === undefined || raw.minObservations === 0 ? PRUNE_DEFAULTS.minObservations : raw.minObservations,
  };
}

/** A member to remove, with the sentence for the snapshot. */
export interface PruneCandidate {
  readonly id: string;
  readonly weight: number;
  /** E.g. "weight 0.012 below threshold 0.05". */
  readonly reason: string;
}

/**
 * The members auto-prune removes. Members are ranked by weight, highest first (equal weights:
 * the earlier member ranks higher; a NaN weight ranks lowest); the first `minMembers` are always
 * kept; below them, a member with at least `minObservations` outcomes and a weight strictly under
 * `threshold` is removed. So the ensemble never drops below `minMembers` (nor below its size if
 * smaller). The result is ordered lowest weight first (equal weights: the later member first).
 *
 * The values are used as given; use {@link resolvePruneConfig} to read the proto's zero defaults.
 */
export function pruneCandidates(members: readonly PruneMember[], config: PruneConfig): PruneCandidate[] {
  const { threshold, minMembers, minObservations } = config;
  if (!(Number.isInteger(minMembers) && minMembers >= 0)) {
    throw new EnsembleStrategyError("INVALID_ARGUMENT", `minMembers must be a non-negative integer, got ${minMembers}`);
  }
  const key = (w: number) => (Number.isNaN(w) ? -Infinity : w);
  const ranked = members.map((m, i) => ({ m, i })).sort((a, b) => key(b.m.weight) - key(a.m.weight) || a.i - b.i);
  const out = ranked
    .slice(minMembers)
    .filter(({ m }) => m.observations >= minObservations && key(m.weight) < threshold)
    .reverse();
  return out.map(({ m }) => ({
    id: m.id,
    weight: m.weight,
    reason: `weight ${formatWeight(m.weight)} below threshold ${formatWeight(threshold)}`,
  }));
}

function formatWeight(w: number): string {
  return Number.isFinite(w) ? String(Number(w.toPrecision(3))) : String(w);
}

// ── Auto-evolution ──────────────────────────────────────────────────────────────────────────────

/** One evolution rule: switch once both thresholds are reached. */
export interface EvolutionRule {
  /** The strategy the rule applies to; unset = any strategy other than `to`. */
  readonly from?: StrategyName | undefined;
  /** The strategy to switch to. */
  readonly to: StrategyName;
  /** Members needed (≥). */
  readonly minMembers: number;
  /** Outcomes needed since the strategy last changed (≥). */
  readonly minObservations: number;
}

/** What the evolution rules see. */
export interface EvolutionContext {
  /** The current number of members. */
  readonly memberCount: number;
  /** Outcomes reported since the strategy last changed. */
  readonly observations: number;
  /** The ensemble's task: a rule to MAJORITY_VOTE never applies to regression. */
  readonly task?: EnsembleTask | undefined;
  /** Whether the meta-learner settings name a meta model: a rule to META_LEARNER needs it. Unset = false. */
  readonly metaModelConfigured?: boolean | undefined;
  /** The stacking `min_observations` (0/unset = 50), used by the default rules. */
  readonly stackingMinObservations?: number | undefined;
}

/** A strategy change decided by {@link evolveStrategy}. */
export interface EvolutionDecision {
  readonly from: StrategyName;
  readonly to: StrategyName;
  /** The index of the rule that matched (in the rules actually used, defaults included). */
  readonly ruleIndex: number;
  /** One sentence for the snapshot. */
  readonly reason: string;
}

/**
 * The proto's default rules: WEIGHTED_AVERAGE → DYNAMIC_WEIGHTING at 3 members and 10 outcomes,
 * then DYNAMIC_WEIGHTING → STACKING at 5 members and the stacking `min_observations` outcomes.
 * @param stackingMinObservations the stacking `min_observations`; 0 means its default, 50.
 */
export function defaultEvolutionRules(stackingMinObservations = 0): EvolutionRule[] {
  const stackingMin = stackingMinObservations === 0 ? 50 : Math.max(2, stackingMinObservations);
  return [
    { from: "WEIGHTED_AVERAGE", to: "DYNAMIC_WEIGHTING", minMembers: 3, minObservations: 10 },
    { from: "DYNAMIC_WEIGHTING", to: "STACKING", minMembers: 5, minObservations: stackingMin },
  ];
}

/**
 * Checks the rules in order and returns the first that matches, or null (stay). A rule matches
 * when its `from` is the current strategy (or unset), its `to` differs from the current strategy,
 * `memberCount ≥ minMembers`, `observations ≥ minObservations`, and its target is usable (not
 * META_LEARNER without a meta model, not MAJORITY_VOTE for regression). With no rules (empty or
 * unset) the {@link defaultEvolutionRules} apply. One call makes at most one step; the runtime
 * resets the outcome counter on a change, so chains advance one rule at a time.
 */
export function evolveStrategy(
  current: StrategyName,
  context: EvolutionContext,
  rules?: readonly EvolutionRule[],
): EvolutionDecision | null {
  const used = rules === undefined || rules.length === 0 ? defaultEvolutionRules(context.stackingMinObservations ?? 0) : rules;
  for (let i = 0; i < used.length; i++) {
    const rule = used[i]!;
    if (rule.to === current) continue;
    if (rule.from !== undefined && rule.from !== current) continue;
    if (rule.to === "META_LEARNER" && context.metaModelConfigured !== true) continue;
    if (rule.to === "MAJORITY_VOTE" && context.task === "regression") continue;
    if (context.memberCount < rule.minMembers || context.observations < rule.minObservations) continue;
    return {
      from: current,
      to: rule.to,
      ruleIndex: i,
      reason: `${context.memberCount} members and ${context.observations} outcomes reached rule ${i + 1} (≥ ${rule.minMembers} members, ≥ ${rule.minObservations} outcomes): ${current} → ${rule.to}`,
    };
  }
  return null;
}
