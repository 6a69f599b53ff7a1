import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  ABTestService,
  CreateABTestRequestSchema,
  CreateABTestResponseSchema,
  CreateCanaryRolloutRequestSchema,
  CreateCanaryRolloutResponseSchema,
} from "@artenic/gen/artenic/abtest/v1/abtest_service_pb";
import {
  ABTestResultsSchema,
  ComparisonVerdict,
  ControlComparisonSchema,
  StatisticalTest,
  VariantResultSchema,
  type ABTestResults,
} from "@artenic/gen/artenic/abtest/v1/ab_test_pb";
import { getService, targetOf, type ModelRouter } from "../inference/index.js";
import type { RegistryListener } from "../registry/index.js";
import { useCaseContext } from "../platform/context.js";
import { runIdempotent } from "../platform/idempotency/idempotency.js";
import { resolveUpdateMask } from "../platform/update-mask.js";
import { invalidField } from "../platform/errors/app-error.js";
import type { ABTestEntity } from "./ab-test.entity.js";
import { computeResults, type ResultsModel } from "./ab-results.js";
import {
  concludeABTest,
  createABTest,
  deleteABTest,
  getABTest,
  listABTests,
  setABTestPaused,
  updateABTest,
} from "./ab-test.use-cases.js";
import { actOnCanary, createCanary, getCanary, listCanaries, updateCanary, type CanaryDeps } from "./canary.use-cases.js";
import {
  armTarget,
  metricFromProto,
  parseName,
  parseServiceRef,
  stepFromProto,
  thresholdsFromProto,
  toABTestProto,
  toCanaryProto,
  variantFromProto,
} from "./ab-test.mapper.js";
import type { VariantStatsCollector } from "./variant-stats.js";

export interface ABTestHandlerDeps {
  readonly router: ModelRouter;
  readonly listeners: readonly RegistryListener[];
  readonly stats: VariantStatsCollector;
}

const finite = (x: number) => (Number.isFinite(x) ? x : 0);

/** Results in wire form; the comparison fields follow the test each variant was judged with. */
export function toResultsProto(t: ABTestEntity, r: ResultsModel): ABTestResults {
  return create(ABTestResultsSchema, {
    abTest: `abTests/${t.id}`,
    state: toABTestProto(t).state,
    primaryMetric: toABTestProto(t).primaryMetric,
    confidenceLevel: t.confidenceLevel,
    minSamplesPerVariant: BigInt(t.minSamples),
    variants: r.variants.map((v) => {
      const c = v.comparison?.comparison;
      return create(VariantResultSchema, {
        variantId: v.variantId,
        control: v.control,
        shadow: v.shadow,
        sampleCount: BigInt(v.sampleCount),
        feedbackCount: BigInt(v.feedbackCount),
        observationCount: BigInt(v.observationCount),
        mean: finite(v.mean),
        stdDev: finite(v.stdDev),
        min: finite(v.min),
        max: finite(v.max),
        errorRate: finite(v.errorRate),
        latencyP50Ms: finite(v.latencyP50Ms),
        latencyP95Ms: finite(v.latencyP95Ms),
        latencyP99Ms: finite(v.latencyP99Ms),
        trafficShare: finite(v.trafficShare),
        comparison:
          c && c.kind !== "insufficient"
            ? create(ControlComparisonSchema, {
                difference: c.diff,
                differenceCiLow: c.ciLow,
                differenceCiHigh: c.ciHigh,
                ...(c.lift ? { lift: c.lift.value, liftCiLow: c.lift.ciLow, liftCiHigh: c.lift.ciHigh } : {}),
                pValue: c.pValue,
                statistic: c.kind === "welch-t" ? c.t : c.z,
                degreesOfFreedom: c.kind === "welch-t" ? c.df : 0,
                test: c.kind === "welch-t" ? StatisticalTest.WELCH_T_TEST : StatisticalTest.TWO_PROPORTION_Z_TEST,
                significant: v.comparison!.significant,
                verdict: v.comparison!.verdict === "better" ? ComparisonVerdict.BETTER : v.comparison!.verdict === "worse" ? ComparisonVerdict.WORSE : ComparisonVerdict.INCONCLUSIVE,
              })
            : undefined,
      });
    }),
    enoughSamples: r.enoughSamples,
    variantsLackingSamples: [...r.lacking],
    notEnoughSamplesMessage: r.notEnoughMessage,
    recommendedWinnerVariantId: r.recommendedWinner,
    recommendationReason: r.recommendationReason,
    computeTime: timestampFromDate(new Date(r.computeTime)),
  });
}

/** `artenic.abtest.v1.ABTestService`: A/B tests and canary rollouts. */
export function createABTestServiceHandler(deps: ABTestHandlerDeps): ServiceImpl<typeof ABTestService> {
  const canaryDeps: CanaryDeps = { router: deps.router, listeners: deps.listeners };
  return {
    async createABTest(req, ctx) {
      const uc = useCaseContext(ctx);
      const t = req.abTest!;
      const response = await runIdempotent(
        uc.em,
        { scope: `${uc.actor.name}/CreateABTest`, requestId: req.requestId, request: toBinary(CreateABTestRequestSchema, req) },
        CreateABTestResponseSchema,
        async (em) => {
          const serviceId = parseServiceRef(t.service, "ab_test.service");
          const variants = t.variants.map((v, i) => variantFromProto(v, `ab_test.variants[${i}]`));
          // Every variant must be servable before traffic is split (resolves, loads, warms).
          const service = await getService(em, serviceId);
          // Inside the transaction every query goes through `em`: on SQLite the transaction holds
          // the only connection, and a query on another EntityManager would wait for it forever.
          const main = await deps.router.resolveTargetName(em, targetOf(service), "ab_test.service", service);
          for (const [i, v] of variants.entries()) {
            const target = v.target.kind === "model_version" ? { kind: "model_version" as const, modelId: v.target.modelId, number: v.target.number } : { kind: "ensemble" as const, ensembleId: v.target.ensembleId };
            const resolved = await deps.router.resolveTargetName(em, target, `ab_test.variants[${i}]`, service);
            const want = main.signature.inputs.map((x) => `${x.name}:${x.dataType}:${x.shape.slice(1).join("x")}`).join(",");
            const got = resolved.signature.inputs.map((x) => `${x.name}:${x.dataType}:${x.shape.slice(1).join("x")}`).join(",");
            if (want !== got) throw invalidField(`ab_test.variants[${i}].target`, `its inputs (${got}) differ from the service's (${want})`, "SIGNATURE_MISMATCH");
            await resolved.load();
          }
          const test = await createABTest({ ...uc, em }, req.abTestId, {
            displayName: t.displayName,
            description: t.description,
            labels: t.labels,
            serviceId,
            variants,
            primaryMetric: metricFromProto(t.primaryMetric),
            minSamples: Number(t.minSamplesPerVariant) || 100,
            confidenceLevel: t.confidenceLevel || 0.95,
            sticky: t.sticky ?? true,
          });
          await em.flush();
          return create(CreateABTestResponseSchema, { abTest: toABTestProto(test) });
        },
      );
      deps.router.invalidate(parseServiceRef(t.service, "ab_test.service"));
      return response;
    },

    async getABTest(req, ctx) {
      return { abTest: toABTestProto(await getABTest(useCaseContext(ctx).em, parseName(req.name, "abTests", "name"))) };
    },

    async listABTests(req, ctx) {
      const page = await listABTests(useCaseContext(ctx), req);
      return { abTests: page.items.map(toABTestProto), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) };
    },

    async updateABTest(req, ctx) {
      const t = req.abTest!;
      const id = parseName(t.name, "abTests", "ab_test.name");
      const paths = resolveUpdateMask(req.updateMask?.paths, ["display_name", "description", "labels", "variants"], (p) =>
        p === "labels" ? Object.keys(t.labels).length > 0 : p === "variants" ? t.variants.length > 0 : (p === "display_name" ? t.displayName : t.description) !== "",
      );
      const updated = await updateABTest(
        useCaseContext(ctx),
        id,
        {
          ...(paths.has("display_name") ? { displayName: t.displayName } : {}),
          ...(paths.has("description") ? { description: t.description } : {}),
          ...(paths.has("labels") ? { labels: t.labels } : {}),
          ...(paths.has("variants") ? { variants: t.variants.map((v, i) => variantFromProto(v, `ab_test.variants[${i}]`)) } : {}),
        },
        t.etag,
      );
      deps.router.invalidate(updated.service);
      return { abTest: toABTestProto(updated) };
    },

    async deleteABTest(req, ctx) {
      await deleteABTest(useCaseContext(ctx), parseName(req.name, "abTests", "name"), req.etag);
      return {};
    },

    async pauseABTest(req, ctx) {
      const t = await setABTestPaused(useCaseContext(ctx), parseName(req.name, "abTests", "name"), true, req.reason, req.etag);
      deps.router.invalidate(t.service);
      return { abTest: toABTestProto(t) };
    },

    async resumeABTest(req, ctx) {
      const t = await setABTestPaused(useCaseContext(ctx), parseName(req.name, "abTests", "name"), false, req.reason, req.etag);
      deps.router.invalidate(t.service);
      return { abTest: toABTestProto(t) };
    },

    async concludeABTest(req, ctx) {
      const uc = useCaseContext(ctx);
      const { test, results } = await concludeABTest(uc, { router: deps.router, listeners: deps.listeners, flush: () => deps.stats.flush() }, parseName(req.name, "abTests", "name"), {
        winnerVariantId: req.winnerVariantId,
        promote: req.promoteWinner,
        reason: req.reason,
        etag: req.etag,
      });
      return { abTest: toABTestProto(test), results: toResultsProto(test, results) };
    },

    async getABTestResults(req, ctx) {
      const uc = useCaseContext(ctx);
      const test = await getABTest(uc.em, parseName(req.name, "abTests", "name"));
      if (test.state === "concluded" && test.frozenResults) return { results: toResultsProto(test, test.frozenResults as ResultsModel) };
      await deps.stats.flush();
      return { results: toResultsProto(test, await computeResults(uc.em, test, uc.now())) };
    },

    async createCanaryRollout(req, ctx) {
      const uc = useCaseContext(ctx);
      const r = req.canaryRollout!;
      const serviceId = parseServiceRef(r.service, "canary_rollout.service");
      const response = await runIdempotent(
        uc.em,
        { scope: `${uc.actor.name}/CreateCanaryRollout`, requestId: req.requestId, request: toBinary(CreateCanaryRolloutRequestSchema, req) },
        CreateCanaryRolloutResponseSchema,
        async (em) => {
          const rollout = await createCanary({ ...uc, em }, canaryDeps, req.canaryRolloutId, {
            displayName: r.displayName,
            description: r.description,
            labels: r.labels,
            serviceId,
            candidate: armTarget(r.candidate.case === "candidateModelVersion" ? "modelVersion" : r.candidate.case === "candidateEnsemble" ? "ensemble" : undefined, r.candidate.value, "canary_rollout.candidate"),
            steps: r.steps.map((s, i) => stepFromProto(s, `canary_rollout.steps[${i}]`)),
            thresholds: thresholdsFromProto(r.thresholds),
            manualPromotion: r.manualPromotion,
          });
          await em.flush();
          return create(CreateCanaryRolloutResponseSchema, { canaryRollout: toCanaryProto(rollout) });
        },
      );
      deps.router.invalidate(serviceId);
      return response;
    },

    async getCanaryRollout(req, ctx) {
      return { canaryRollout: toCanaryProto(await getCanary(useCaseContext(ctx).em, parseName(req.name, "canaryRollouts", "name"))) };
    },

    async listCanaryRollouts(req, ctx) {
      const page = await listCanaries(useCaseContext(ctx), req);
      return { canaryRollouts: page.items.map(toCanaryProto), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) };
    },

    async updateCanaryRollout(req, ctx) {
      const r = req.canaryRollout!;
      const id = parseName(r.name, "canaryRollouts", "canary_rollout.name");
      const paths = resolveUpdateMask(req.updateMask?.paths, ["display_name", "description", "labels", "thresholds"], (p) =>
        p === "labels" ? Object.keys(r.labels).length > 0 : p === "thresholds" ? r.thresholds !== undefined : (p === "display_name" ? r.displayName : r.description) !== "",
      );
      const updated = await updateCanary(
        useCaseContext(ctx),
        id,
        {
          ...(paths.has("display_name") ? { displayName: r.displayName } : {}),
          ...(paths.has("description") ? { description: r.description } : {}),
          ...(paths.has("labels") ? { labels: r.labels } : {}),
          ...(paths.has("thresholds") ? { thresholds: thresholdsFromProto(r.thresholds) } : {}),
        },
        r.etag,
      );
      return { canaryRollout: toCanaryProto(updated) };
    },

    async pauseCanaryRollout(req, ctx) {
      return { canaryRollout: toCanaryProto(await actOnCanary(useCaseContext(ctx), canaryDeps, parseName(req.name, "canaryRollouts", "name"), "pause", req.reason, req.etag)) };
    },
    async resumeCanaryRollout(req, ctx) {
      return { canaryRollout: toCanaryProto(await actOnCanary(useCaseContext(ctx), canaryDeps, parseName(req.name, "canaryRollouts", "name"), "resume", req.reason, req.etag)) };
    },
    async advanceCanaryRollout(req, ctx) {
      return { canaryRollout: toCanaryProto(await actOnCanary(useCaseContext(ctx), canaryDeps, parseName(req.name, "canaryRollouts", "name"), "advance", req.reason, req.etag)) };
    },
    async promoteCanaryRollout(req, ctx) {
      return { canaryRollout: toCanaryProto(await actOnCanary(useCaseContext(ctx), canaryDeps, parseName(req.name, "canaryRollouts", "name"), "promote", req.reason, req.etag)) };
    },
    async abortCanaryRollout(req, ctx) {
      return { canaryRollout: toCanaryProto(await actOnCanary(useCaseContext(ctx), canaryDeps, parseName(req.name, "canaryRollouts", "name"), "abort", req.reason, req.etag)) };
    },
  };
}
