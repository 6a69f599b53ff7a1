import type { EntityManager } from "@mikro-orm/core";
import { ABTestEntity, ABVariantStatsEntity, CanaryRolloutEntity, type PrimaryMetricSpec, type VariantSpec } from "./ab-test.entity.js";
import { abTestAlreadyExists, abTestNotFound, illegalAbTransition, notEnoughSamples, serviceBusy } from "./abtest.errors.js";
import { computeResults, type ResultsModel } from "./ab-results.js";
import { armName, promoteWinner } from "./promotion.js";
import { notifyAfterCommit, type RegistryListener } from "../registry/index.js";
import type { ModelRouter } from "../inference/index.js";
import { checkEtag, type UseCaseContext } from "../platform/context.js";
import { recordEvent } from "../platform/outbox/outbox.js";
import { invalidField } from "../platform/errors/app-error.js";
import { listPage, type ListRequestLike, type ListSpec, type Page } from "../platform/query/list-query.js";
import { getService } from "../inference/index.js";

export const abTestName = (id: string) => `abTests/${id}`;

/** Canary states in which a rollout holds the service. */
export const ACTIVE_CANARY_STATES = ["pending", "progressing", "paused", "awaiting_promotion"];

/**
 * Serializes splits of one service: a no-op write on its row takes the write lock (SQLite) or the
 * row lock (PostgreSQL), so two tests or a test and a canary can never both start on it.
 */
export async function lockService(em: EntityManager, serviceId: string): Promise<void> {
  await em.getConnection().execute("update service set id = id where id = ?", [serviceId], "run", em.getTransactionContext());
  await getService(em, serviceId);
}

/** Refuses when the service already has a test that is not concluded or an active canary rollout. */
export async function assertServiceFree(em: EntityManager, serviceId: string, except?: string): Promise<void> {
  const test = await em.findOne(ABTestEntity, { service: serviceId, state: { $ne: "concluded" }, ...(except ? { id: { $ne: except } } : {}) });
  if (test) throw serviceBusy(`services/${serviceId}`, `A/B test ${abTestName(test.id)}`);
  const canary = await em.findOne(CanaryRolloutEntity, { service: serviceId, state: { $in: ACTIVE_CANARY_STATES } });
  if (canary) throw serviceBusy(`services/${serviceId}`, `canary rollout canaryRollouts/${canary.id}`);
}

export interface ABTestInput {
  readonly displayName: string;
  readonly description: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceId: string;
  readonly variants: readonly VariantSpec[];
  readonly primaryMetric: PrimaryMetricSpec;
  readonly minSamples: number;
  readonly confidenceLevel: number;
  readonly sticky: boolean;
}

/** Checks the rules protovalidate cannot: one control, shadows without weight, a live weight. */
export function checkVariants(variants: readonly VariantSpec[], field: string): void {
  const ids = new Set<string>();
  for (const [i, v] of variants.entries()) {
    if (ids.has(v.variantId)) throw invalidField(`${field}[${i}].variant_id`, `"${v.variantId}" is used twice`);
    ids.add(v.variantId);
    if (v.shadow && v.weight !== 0) throw invalidField(`${field}[${i}].weight`, "must be 0 for a shadow variant (use mirror_percent)");
    if (!v.shadow && v.mirrorPercent !== 0 && v.mirrorPercent !== 100) throw invalidField(`${field}[${i}].mirror_percent`, "applies to shadow variants only");
    if (v.shadow && v.control) throw invalidField(`${field}[${i}].shadow`, "the control variant cannot be a shadow");
  }
  const controls = variants.filter((v) => v.control).length;
  if (controls !== 1) throw invalidField(field, `exactly one variant must be the control (${controls} are)`);
  if (!variants.some((v) => !v.shadow && v.weight > 0)) throw invalidField(field, "at least one live variant needs a positive weight");
  const targets = new Set(variants.map((v) => JSON.stringify(v.target)));
  if (targets.size !== variants.length) throw invalidField(field, "two variants serve the same target; their results could not be told apart");
}

export async function createABTest(ctx: UseCaseContext, id: string, input: ABTestInput): Promise<ABTestEntity> {
  checkVariants(input.variants, "ab_test.variants");
  return ctx.em.transactional(async (em) => {
    await lockService(em, input.serviceId);
    if (await em.count(ABTestEntity, { id })) throw abTestAlreadyExists(abTestName(id));
    await assertServiceFree(em, input.serviceId);
    const now = ctx.now();
    const test = em.create(ABTestEntity, {
      id,
      displayName: input.displayName,
      description: input.description,
      labels: { ...input.labels },
      service: input.serviceId,
      variants: [...input.variants],
      primaryMetric: input.primaryMetric,
      minSamples: input.minSamples,
      confidenceLevel: input.confidenceLevel,
      sticky: input.sticky,
      state: "running",
      winnerVariantId: "",
      conclusionReason: "",
      promotion: null,
      frozenResults: null,
      createTime: now,
      updateTime: now,
      startTime: now,
      endTime: null,
    });
    recordEvent(em, ctx.actor, { topic: "abtest", type: "abtest.ab_test.created", resource: abTestName(id), data: { service: `services/${input.serviceId}`, variants: input.variants.map((v) => v.variantId) } }, now);
    return test;
  });
}

export async function getABTest(em: EntityManager, id: string): Promise<ABTestEntity> {
  const t = await em.findOne(ABTestEntity, { id });
  if (!t) throw abTestNotFound(abTestName(id));
  return t;
}

const listSpec: ListSpec = {
  fields: {
    service: { prop: "service", type: "string" },
    state: { prop: "state", type: "string", values: { RUNNING: "running", PAUSED: "paused", CONCLUDED: "concluded", AB_TEST_STATE_RUNNING: "running", AB_TEST_STATE_PAUSED: "paused", AB_TEST_STATE_CONCLUDED: "concluded" } },
    create_time: { prop: "createTime", type: "timestamp" },
    display_name: { prop: "displayName", type: "string" },
  },
  maps: { labels: { prop: "labels", type: "string" } },
  defaultOrder: "create_time desc",
  idProp: "id",
};

export function listABTests(ctx: UseCaseContext, request: ListRequestLike): Promise<Page<ABTestEntity>> {
  return listPage(ctx.em, ABTestEntity, listSpec, {
    ...request,
    // Filters name the service as a resource name; it is stored as an id.
    filter: request.filter.replace(/service\s*=\s*"?services\/([a-z0-9-]+)"?/g, 'service = "$1"'),
  });
}

export interface ABTestChanges {
  readonly displayName?: string;
  readonly description?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** New weights and display names, by variant id; nothing else of a variant may change. */
  readonly variants?: readonly VariantSpec[];
}

export async function updateABTest(ctx: UseCaseContext, id: string, changes: ABTestChanges, etag: string): Promise<ABTestEntity> {
  return ctx.em.transactional(async (em) => {
    const t = await getABTest(em, id);
    checkEtag(etag, t.revision, abTestName(id));
    if (changes.displayName !== undefined) t.displayName = changes.displayName;
    if (changes.description !== undefined) t.description = changes.description;
    if (changes.labels !== undefined) t.labels = { ...changes.labels };
    if (changes.variants !== undefined) {
      if (t.state === "concluded") throw illegalAbTransition(abTestName(id), t.state, "re-weighted");
      const next = changes.variants;
      const same =
        next.length === t.variants.length &&
        next.every((v, i) => {
          const old = t.variants[i]!;
          return v.variantId === old.variantId && JSON.stringify(v.target) === JSON.stringify(old.target) && v.control === old.control && v.shadow === old.shadow && v.mirrorPercent === old.mirrorPercent;
        });
      if (!same) throw invalidField("ab_test.variants", "only the weights and display names of the same variants, in the same order, can change");
      checkVariants(next, "ab_test.variants");
      t.variants = next.map((v, i) => ({ ...t.variants[i]!, weight: v.weight, displayName: v.displayName }));
    }
    t.updateTime = ctx.now();
    recordEvent(em, ctx.actor, { topic: "abtest", type: "abtest.ab_test.updated", resource: abTestName(id), data: { weights: Object.fromEntries(t.variants.map((v) => [v.variantId, v.weight])) } }, ctx.now());
    return t;
  });
}

export async function deleteABTest(ctx: UseCaseContext, id: string, etag: string): Promise<void> {
  await ctx.em.transactional(async (em) => {
    const t = await getABTest(em, id);
    checkEtag(etag, t.revision, abTestName(id));
    if (t.state !== "concluded") throw illegalAbTransition(abTestName(id), t.state, "deleted");
    await em.nativeDelete(ABVariantStatsEntity, { abTest: id });
    em.remove(t);
    recordEvent(em, ctx.actor, { topic: "abtest", type: "abtest.ab_test.deleted", resource: abTestName(id), data: {} }, ctx.now());
  });
}

/** RUNNING ⇄ PAUSED; anything else is FAILED_PRECONDITION. */
export async function setABTestPaused(ctx: UseCaseContext, id: string, pause: boolean, reason: string, etag: string): Promise<ABTestEntity> {
  return ctx.em.transactional(async (em) => {
    const t = await getABTest(em, id);
    checkEtag(etag, t.revision, abTestName(id));
    const from = pause ? "running" : "paused";
    if (t.state !== from) throw illegalAbTransition(abTestName(id), t.state, pause ? "paused" : "resumed");
    t.state = pause ? "paused" : "running";
    t.updateTime = ctx.now();
    recordEvent(em, ctx.actor, { topic: "abtest", type: pause ? "abtest.ab_test.paused" : "abtest.ab_test.resumed", resource: abTestName(id), data: { reason } }, ctx.now());
    return t;
  });
}

/**
 * Concludes a test with a winner (the given one, or the results' recommendation), freezes its
 * results, and optionally promotes the winner — all in one transaction.
 */
export async function concludeABTest(
  ctx: UseCaseContext,
  deps: { router: ModelRouter; listeners: readonly RegistryListener[]; flush: () => Promise<void> },
  id: string,
  input: { winnerVariantId: string; promote: boolean; reason: string; etag: string },
): Promise<{ test: ABTestEntity; results: ResultsModel }> {
  // Counters still in memory belong in the frozen results.
  await deps.flush();
  const out = await ctx.em.transactional(async (em) => {
    const t = await getABTest(em, id);
    checkEtag(input.etag, t.revision, abTestName(id));
    if (t.state === "concluded") throw illegalAbTransition(abTestName(id), t.state, "concluded");
    const now = ctx.now();
    const results = await computeResults(em, t, now);
    let winner = input.winnerVariantId;
    if (winner === "") {
      if (!results.recommendedWinner) throw notEnoughSamples(abTestName(id), results.notEnoughMessage);
      winner = results.recommendedWinner;
    }
    const variant = t.variants.find((v) => v.variantId === winner);
    if (!variant) throw invalidField("winner_variant_id", `"${winner}" is not a variant of ${abTestName(id)}; its variants are ${t.variants.map((v) => v.variantId).join(", ")}`);
    if (variant.shadow) throw invalidField("winner_variant_id", "a shadow variant never served callers and cannot win");
    t.state = "concluded";
    t.winnerVariantId = winner;
    t.conclusionReason = input.reason || results.recommendationReason;
    t.endTime = now;
    t.updateTime = now;
    t.frozenResults = results;
    const service = await getService(em, t.service);
    const control = t.variants.find((v) => v.control)!;
    if (input.promote && !(variant.control && control === variant)) {
      t.promotion = await promoteWinner(ctx, em, service, variant.target, armName(control.target), `A/B test ${abTestName(id)} concluded: ${t.conclusionReason}`, deps.listeners, deps.router);
    }
    recordEvent(em, ctx.actor, { topic: "abtest", type: "abtest.ab_test.concluded", resource: abTestName(id), data: { winner, reason: t.conclusionReason, promoted: t.promotion !== null } }, now);
    return { test: t, results };
  });
  deps.router.invalidate(out.test.service);
  const won = out.test.variants.find((v) => v.variantId === out.test.winnerVariantId)!.target;
  // An alias or stage moved by the promotion: services following the model re-resolve.
  if (out.test.promotion && won.kind === "model_version") notifyAfterCommit(deps.listeners, won.modelId);
  return out;
}
