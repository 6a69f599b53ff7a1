import { create, toBinary } from "@bufbuild/protobuf";
import { durationMs } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  CreateHealthBaselineRequestSchema,
  CreateHealthBaselineResponseSchema,
  HealthService,
  WatchHealthResponseSchema,
  type WatchHealthResponse,
} from "@artenic/gen/artenic/health/v1/health_service_pb";
import type { ThresholdLevels } from "@artenic/gen/artenic/health/v1/health_pb";
import { useCaseContext } from "../platform/context.js";
import { runIdempotent } from "../platform/idempotency/idempotency.js";
import { resolveUpdateMask } from "../platform/update-mask.js";
import {
  distributionFromProto,
  methodFromProto,
  parseHealthName,
  toBaselineProto,
  toHealthProto,
  toSnapshotProto,
  toThresholdsProto,
} from "./health.mapper.js";
import {
  assertTargetExists,
  baselineNotFound,
  deleteBaseline,
  getBaseline,
  getThresholds,
  listSnapshots,
  putBaseline,
  updateThresholds,
} from "./health.use-cases.js";
import { defaultThresholds, targetName, type Levels, type ThresholdSettings } from "./health.types.js";
import type { HealthMonitor } from "./health-monitor.js";

const UPDATABLE = ["error_rate", "latency_p99_ms", "input_drift", "output_drift", "drift_method", "drift_bins", "min_samples", "window", "auto_capture_baseline"];

function levels(given: ThresholdLevels | undefined, fallback: Levels): Levels | undefined {
  if (!given) return undefined;
  return { degraded: given.degraded ?? fallback.degraded, unhealthy: given.unhealthy ?? fallback.unhealthy };
}

/** `artenic.health.v1.HealthService`: health, thresholds, baselines, history and the watch stream. */
export function createHealthServiceHandler(deps: { readonly monitor: HealthMonitor }): ServiceImpl<typeof HealthService> {
  const { monitor } = deps;
  return {
    async getHealth(req, ctx) {
      const { em } = useCaseContext(ctx);
      const target = parseHealthName(req.name, "name", "");
      await assertTargetExists(em, target);
      return { health: toHealthProto(await monitor.evaluate(target, em)) };
    },

    async listHealthSnapshots(req, ctx) {
      const uc = useCaseContext(ctx);
      const target = parseHealthName(req.parent, "parent", "");
      await assertTargetExists(uc.em, target);
      const page = await listSnapshots(uc, target, req);
      return { healthSnapshots: page.items.map(toSnapshotProto), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) };
    },

    async getHealthThresholds(req, ctx) {
      const { em } = useCaseContext(ctx);
      const target = parseHealthName(req.name, "name", "/thresholds");
      await assertTargetExists(em, target);
      const { settings, stored } = await getThresholds(em, target);
      return { thresholds: toThresholdsProto(targetName(target), settings, stored) };
    },

    async updateHealthThresholds(req, ctx) {
      const uc = useCaseContext(ctx);
      const t = req.thresholds!;
      const target = parseHealthName(t.name, "thresholds.name", "/thresholds");
      const paths = resolveUpdateMask(req.updateMask?.paths, UPDATABLE, (p) => {
        switch (p) {
          case "error_rate":
            return t.errorRate !== undefined;
          case "latency_p99_ms":
            return t.latencyP99Ms !== undefined;
          case "input_drift":
            return t.inputDrift !== undefined;
          case "output_drift":
            return t.outputDrift !== undefined;
          case "drift_method":
            return methodFromProto(t.driftMethod) !== undefined;
          case "drift_bins":
            return t.driftBins !== 0;
          case "min_samples":
            return t.minSamples !== 0n;
          case "window":
            return t.window !== undefined;
          default:
            return t.autoCaptureBaseline !== undefined;
        }
      });
      const method = methodFromProto(t.driftMethod) ?? (await getThresholds(uc.em, target)).settings.driftMethod;
      const d = defaultThresholds(method);
      // A masked path left unset goes back to its default (undefined removes the stored override).
      const changes: { -readonly [K in keyof ThresholdSettings]?: ThresholdSettings[K] | undefined } = {};
      if (paths.has("error_rate")) changes.errorRate = levels(t.errorRate, d.errorRate);
      if (paths.has("latency_p99_ms")) changes.latencyP99Ms = levels(t.latencyP99Ms, d.latencyP99Ms);
      if (paths.has("input_drift")) changes.inputDrift = levels(t.inputDrift, d.inputDrift);
      if (paths.has("output_drift")) changes.outputDrift = levels(t.outputDrift, d.outputDrift);
      if (paths.has("drift_method")) changes.driftMethod = methodFromProto(t.driftMethod);
      if (paths.has("drift_bins")) changes.driftBins = t.driftBins || undefined;
      if (paths.has("min_samples")) changes.minSamples = t.minSamples ? Number(t.minSamples) : undefined;
      if (paths.has("window")) changes.windowMs = t.window ? durationMs(t.window) : undefined;
      if (paths.has("auto_capture_baseline")) changes.autoCaptureBaseline = t.autoCaptureBaseline;
      const { settings, stored } = await updateThresholds(uc, target, changes, t.etag);
      return { thresholds: toThresholdsProto(targetName(target), settings, stored) };
    },

    async createHealthBaseline(req, ctx) {
      const uc = useCaseContext(ctx);
      const target = parseHealthName(req.parent, "parent", "");
      return runIdempotent(
        uc.em,
        { scope: `${uc.actor.name}/CreateHealthBaseline`, requestId: req.requestId, request: toBinary(CreateHealthBaselineRequestSchema, req) },
        CreateHealthBaselineResponseSchema,
        async (em) => {
          await assertTargetExists(em, target);
          const s = req.source;
          let baseline;
          if (s.case === "capture") {
            const lookback = s.value.lookback ? durationMs(s.value.lookback) : (await getThresholds(em, target)).settings.windowMs;
            baseline = await monitor.capture(target, lookback, em, uc.actor);
          } else if (s.case === "upload") {
            const inputs = s.value.inputs.map((d, i) => distributionFromProto(d, `upload.inputs[${i}]`));
            const outputs = s.value.outputs.map((d, i) => distributionFromProto(d, `upload.outputs[${i}]`));
            const counted = (d: (typeof inputs)[number]) =>
              d.kind === "histogram" ? d.counts.reduce((a, b) => a + b, 0) : d.kind === "categories" ? Object.values(d.counts).reduce((a, b) => a + b, 0) : d.values.length;
            baseline = await putBaseline(
              em,
              uc.actor,
              target,
              { source: "uploaded", captureStartTime: null, captureEndTime: null, modelVersions: [], sampleCount: Math.max(0, ...[...inputs, ...outputs].map(counted)), inputs, outputs },
              uc.now(),
            );
          } else {
            throw new Error("protovalidate requires a source");
          }
          await em.flush();
          return create(CreateHealthBaselineResponseSchema, { baseline: toBaselineProto(baseline) });
        },
      );
    },

    async getHealthBaseline(req, ctx) {
      const { em } = useCaseContext(ctx);
      const target = parseHealthName(req.name, "name", "/baseline");
      await assertTargetExists(em, target);
      const baseline = await getBaseline(em, target);
      if (!baseline) throw baselineNotFound(req.name);
      return { baseline: toBaselineProto(baseline) };
    },

    async deleteHealthBaseline(req, ctx) {
      const uc = useCaseContext(ctx);
      const target = parseHealthName(req.name, "name", "/baseline");
      await assertTargetExists(uc.em, target);
      await deleteBaseline(uc, target);
      return {};
    },

    async *watchHealth(req, ctx: HandlerContext): AsyncGenerator<WatchHealthResponse> {
      const { em } = useCaseContext(ctx);
      const target = parseHealthName(req.name, "name", "");
      await assertTargetExists(em, target);
      const interval = req.interval ? durationMs(req.interval) : 30_000;
      for await (const { report, statusChanged } of monitor.watch(target, interval, ctx.signal)) {
        yield create(WatchHealthResponseSchema, { health: toHealthProto(report), statusChanged });
      }
    },
  };
}
