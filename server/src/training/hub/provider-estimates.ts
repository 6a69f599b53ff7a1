import type { EntityManager } from "@mikro-orm/core";
import type { TrainingJobSpec } from "@artenic/gen/artenic/training/v1/training_job_pb";
import type { BudgetGate, SpendRequest } from "../../budget/index.js";
import { AppError, invalidField } from "../../platform/errors/app-error.js";
import { compareCheapest, compareFastest, enrichOffering, priceOption, satisfies, type PricedOption } from "../catalog/placement.js";
import { DEFAULT_MAX_RUNTIME_MS, findCandidates, speedScore, type Candidate, type PlacementConstraints } from "../placement.js";
import { specFromProto } from "../training-job.mapper.js";
import { constraintsOf } from "../training-job.use-cases.js";
import type { PlacementStrategyName } from "../training-job.entity.js";
import type { ProviderHub } from "./provider-hub.js";

/**
 * EstimateCost and RecommendPlacements. Candidates come from the training domain's placement
 * (training/placement.ts `findCandidates`), the very function CreateTrainingJob uses, so an
 * estimate considers exactly the placements a job would; this module prices them, flags the ones
 * over `max_cost` or refused by a BLOCK budget, and ranks them.
 *
 * "Fastest" is the training domain's speed score: GPUs first (count × a per-model factor, H100 ≫
 * A100 > L40 > A10/L4 > V100 > T4), then vCPUs; memory, disk and network do not count. The expected
 * duration is the same for every candidate (the request's, else the spec's max runtime, else 24 h):
 * a faster machine is not assumed to finish sooner.
 */

/** Which BLOCK budgets would refuse a reservation right now, without reserving anything. */
export interface BudgetPreview {
  blockingBudgets(em: EntityManager, request: Omit<SpendRequest, "job">, now: Date): Promise<string[]>;
}

class Rollback extends Error {}

/**
 * A preview built on the budget domain's admission: `admit` runs in a transaction that is always
 * rolled back, and a RESOURCE_EXHAUSTED refusal names the refusing budgets (QuotaFailure subjects,
 * else ErrorInfo `budget`). Exact by construction; one short transaction per option.
 */
export function budgetPreviewFromGate(gate: BudgetGate): BudgetPreview {
  return {
    async blockingBudgets(em, request, now) {
      let blocked: string[] = [];
      try {
        await em.fork().transactional(async (tx) => {
          try {
            await gate.admit(tx, { ...request, job: "trainingJobs/cost-estimate-preview" }, now);
          } catch (e) {
            if (!(e instanceof AppError) || e.kind !== "resource_exhausted") throw e;
            const subjects = ((e as { quotaViolations?: readonly { subject: string }[] }).quotaViolations ?? []).map((q) => q.subject);
            blocked = subjects.length > 0 ? subjects : [e.metadata["budget"] ?? ""].filter(Boolean);
          }
          throw new Rollback();
        });
      } catch (e) {
        if (!(e instanceof Rollback)) throw e;
      }
      return blocked;
    },
  };
}

export interface EstimateDeps {
  readonly hub: ProviderHub;
  readonly budgets?: BudgetPreview | undefined;
}

interface Terms {
  readonly constraints: PlacementConstraints;
  readonly expectedMs: number;
  readonly maxRuntimeMs: number;
  readonly maxCost: number | null;
}

function termsOf(hub: ProviderHub, spec: TrainingJobSpec, expectedMs: number | undefined): Terms {
  if (spec.maxCost && spec.maxCost.currencyCode !== hub.currency) {
    throw invalidField("spec.max_cost.currency_code", `must be the platform currency ${hub.currency}, not ${spec.maxCost.currencyCode}`, "CURRENCY_MISMATCH");
  }
  const record = specFromProto(spec, hub.currency).spec;
  const maxRuntimeMs = record.maxRuntimeMs ?? DEFAULT_MAX_RUNTIME_MS;
  return { constraints: constraintsOf(record), expectedMs: expectedMs ?? maxRuntimeMs, maxRuntimeMs, maxCost: record.maxCost };
}

/** Candidates as CreateTrainingJob finds them; "no placement" is an empty list here, not an error. */
async function candidatesFor(em: EntityManager, hub: ProviderHub, constraints: PlacementConstraints): Promise<Candidate[]> {
  try {
    return (await findCandidates(em, hub.registry, constraints, "spec.placement.provider")).candidates;
  } catch (e) {
    if (e instanceof AppError && e.reason === "NO_PLACEMENT") return [];
    throw e;
  }
}

/** Prices a candidate; the reservation is what admission computes (training/placement.ts `estimateCost`). */
function price(hub: ProviderHub, c: Candidate, terms: Terms, selectable: boolean): PricedOption {
  return priceOption(enrichOffering(c.offering, hub.catalog), c.spot, c.speedScore, terms, selectable);
}

async function flagBudgets(em: EntityManager, deps: EstimateDeps, options: readonly PricedOption[], service: string, apiKey: string, now: Date): Promise<void> {
  if (!deps.budgets) return;
  for (const o of options) {
    o.blockingBudgets = await deps.budgets.blockingBudgets(
      em,
      { provider: `providers/${o.offering.provider}`, service, apiKey, amount: o.reservation, currency: deps.hub.currency },
      now,
    );
  }
}

export interface EstimateRequest {
  readonly spec: TrainingJobSpec;
  readonly expectedMs: number | undefined;
  /** `services/{id}` or "". */
  readonly service: string;
  readonly maxOptions: number;
  /** `apiKeys/{id}` of the caller, for API-key budgets. */
  readonly apiKey: string;
  readonly now: Date;
}

/**
 * Every candidate CreateTrainingJob would consider (enabled providers, the spec's pins and
 * constraints), cheapest first, and the one it would pick: the first provider in its ranking whose
 * best option no BLOCK budget refuses (admission tries one option per provider, in rank order).
 */
export async function estimatePlacementCost(em: EntityManager, deps: EstimateDeps, req: EstimateRequest): Promise<{ selected: PricedOption | undefined; options: PricedOption[] }> {
  const terms = termsOf(deps.hub, req.spec, req.expectedMs);
  const ranked = await candidatesFor(em, deps.hub, terms.constraints);
  const priced = ranked.map((c) => price(deps.hub, c, terms, true));
  const seen = new Set<string>();
  const perProvider = priced.filter((o) => (seen.has(o.offering.provider) ? false : (seen.add(o.offering.provider), true)));
  const options = [...priced].sort(compareCheapest).slice(0, req.maxOptions === 0 ? 20 : req.maxOptions);
  await flagBudgets(em, deps, [...new Set([...options, ...perProvider])], req.service, req.apiKey, req.now);
  return { selected: perProvider.find((o) => o.blockingBudgets.length === 0), options };
}

export interface RecommendRequest {
  readonly spec: TrainingJobSpec;
  readonly expectedMs: number | undefined;
  /** Undefined means the spec's strategy. */
  readonly strategy: PlacementStrategyName | undefined;
  readonly includeDisabledProviders: boolean;
  readonly maxRecommendations: number;
  readonly service: string;
  readonly apiKey: string;
  readonly now: Date;
}

/**
 * Placements for a spec across providers, its pins ignored but its resources and allowed
 * providers and regions honoured; on-demand and, where priced, spot. With
 * `includeDisabledProviders`, providers that cannot take jobs now are priced from their offerings
 * (the catalog for adapters not in this build) and flagged as not selectable.
 */
export async function recommendPlacements(
  em: EntityManager,
  deps: EstimateDeps,
  req: RecommendRequest,
): Promise<{ recommendations: PricedOption[]; cheapest: PricedOption | undefined; fastest: PricedOption | undefined }> {
  const base = termsOf(deps.hub, req.spec, req.expectedMs);
  const constraints: PlacementConstraints = { ...base.constraints, provider: "", region: "", instanceType: "" };
  const terms: Terms = { ...base, constraints };
  const all: PricedOption[] = [];
  for (const spot of [false, true]) {
    for (const c of await candidatesFor(em, deps.hub, { ...constraints, spot })) all.push(price(deps.hub, c, terms, true));
  }
  if (req.includeDisabledProviders) {
    for (const view of await deps.hub.list(em)) {
      const id = view.definition.id;
      if (constraints.allowedProviders.length > 0 && !constraints.allowedProviders.includes(id)) continue;
      const usable = await deps.hub.usability(em, id);
      if (usable.usable) continue;
      const note = view.state === "UNCONFIGURED" ? "provider not configured" : view.state === "ERROR" ? "provider failing its connection test" : "provider not enabled";
      for (const o of await deps.hub.offerings(em, id)) {
        if (constraints.allowedRegions.length > 0 && !constraints.allowedRegions.includes(o.region)) continue;
        if (!satisfies(o, constraints.resources)) continue;
        const score = speedScore(o);
        all.push(priceOption(o, false, score, terms, false, [note]));
        if (o.spotPerHour !== undefined) all.push(priceOption(o, true, score, terms, false, [note]));
      }
    }
  }
  const strategy = req.strategy ?? constraints.strategy;
  const recommendations = [...all].sort(strategy === "fastest" ? compareFastest : compareCheapest).slice(0, req.maxRecommendations === 0 ? 10 : req.maxRecommendations);
  const cheapest = [...all].sort(compareCheapest)[0];
  const fastest = [...all].sort(compareFastest)[0];
  await flagBudgets(em, deps, [...new Set([...recommendations, ...(cheapest ? [cheapest] : []), ...(fastest ? [fastest] : [])])], req.service, req.apiKey, req.now);
  return { recommendations, cheapest, fastest };
}
