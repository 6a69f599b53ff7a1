import { create, toBinary } from "@bufbuild/protobuf";
import { durationFromMillis } from "../platform/duration.js";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  CreateServiceRequestSchema,
  CreateServiceResponseSchema,
  InferenceService,
  PredictResponseSchema,
  SetServiceTargetRequestSchema,
  SetServiceTargetResponseSchema,
  StreamPredictBatchResponseSchema,
  StreamPredictBatchSummarySchema,
  StreamPredictResponseSchema,
  type PredictRow,
  type RowPrediction,
  type StreamPredictBatchRequest,
  type StreamPredictBatchResponse,
  type StreamPredictRequest,
  type StreamPredictResponse,
} from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { DatasetFormat } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import type { EntityManager } from "@mikro-orm/core";
import { useCaseContext, type UseCaseContext } from "../platform/context.js";
import { runIdempotent } from "../platform/idempotency/idempotency.js";
import { resolveUpdateMask } from "../platform/update-mask.js";
import { AppError, invalidField } from "../platform/errors/app-error.js";
import type { InferenceMetrics } from "../platform/metrics/metrics.js";
import { getModelVersion, parseVersionName, versionName, type ArtifactStore, type ModelSignatureInfo } from "../registry/index.js";
import { predictionNotFound } from "./inference.errors.js";
import type { ModelRouter, Pick, Route } from "./model-router.js";
import { newPredictionId, parsePredictionId } from "./prediction-id.js";
import type { PredictionRecorder } from "./prediction-recorder.js";
import { predictColumns, predictRows, type RowOutcome } from "./row-predictor.js";
import type { InferTensor } from "@artenic/gen/artenic/inference/v1/infer_tensor_pb";
import { batchRows, checkInputs } from "./signature-check.js";
import { classificationsOf, decodeTensor, encodeOutputs, usesRawContents } from "./tensor.mapper.js";
import { datasetRows } from "./dataset-reader.js";
import {
  createService,
  deleteService,
  getService,
  listServices,
  listTargetHistory,
  serviceName,
  setServiceTarget,
  updateService,
  type ServiceSettings,
} from "./service.use-cases.js";
import { batchingFromProto, parseServiceName, targetFromProto, toServiceProto, toTargetChangeProto } from "./service.mapper.js";
import type { ServiceEntity } from "./service.entity.js";
import { reportFeedback } from "./feedback.use-cases.js";
import type { OutputValue, TensorData } from "./tensor.js";

export interface InferenceHandlerDeps {
  readonly router: ModelRouter;
  readonly recorder: PredictionRecorder;
  readonly metrics: InferenceMetrics;
  readonly store: ArtifactStore;
  /** The ensemble domain's memory of member answers, for learning from outcomes. */
  readonly ensembles?: { recordPrediction(predictionId: string, snapshot: string, result: object, rowIndexes?: readonly number[]): boolean };
}

const DEFAULT_ROWS_PER_MESSAGE = 256;

/** The first row's numbers, for drift statistics (at most 64 values). */
function featureSample(inputs: readonly TensorData[]): number[] {
  const t = inputs[0];
  if (!t || t.dataType === "string") return [];
  const per = Math.min(64, t.shape.length > 1 ? t.data.length / (t.shape[0] || 1) : t.data.length);
  const out: number[] = [];
  for (let i = 0; i < per; i++) out.push(Number(t.data[i]));
  return out;
}

/** The first row of the first numeric tensor output (at most 16 values), for output drift. */
function outputSample(outputs: Record<string, OutputValue>, rows: number): number[] {
  for (const o of Object.values(outputs)) {
    if (o.kind !== "tensor" || o.tensor.dataType === "string" || rows === 0) continue;
    const per = Math.min(16, o.tensor.data.length / rows);
    return Array.from({ length: per }, (_, i) => Number(o.tensor.data[i]));
  }
  return [];
}

function checkOutputNames(names: readonly string[], signature: ModelSignatureInfo, field: string): void {
  for (const n of names) {
    if (!signature.outputs.some((o) => o.name === n)) {
      throw invalidField(field, `the model has no output "${n}"; its outputs are ${signature.outputs.map((o) => o.name).join(", ")}`);
    }
  }
}

/** `artenic.inference.v1.InferenceService`: services (named deployments) and predictions. */
export function createInferenceServiceHandler(deps: InferenceHandlerDeps): Partial<ServiceImpl<typeof InferenceService>> {
  const { router, recorder, metrics } = deps;

  const serviceProto = async (em: EntityManager, id: string) => {
    const s = await getService(em, id);
    const status = router.status(id);
    let signature: ModelSignatureInfo | undefined;
    if (status?.modelVersion) {
      const { modelId, number } = parseVersionName(status.modelVersion, "resolved_model_version");
      signature = ((await getModelVersion(em, modelId, number).catch(() => undefined))?.signature ?? undefined) as ModelSignatureInfo | undefined;
    }
    return toServiceProto(s, status, signature);
  };

  const record = (
    route: Route | undefined,
    serviceId: string,
    predictionId: string,
    rows: number,
    started: number,
    error: string,
    confidence: number,
    features: readonly number[],
    outputs: readonly number[] = [],
    split: { pick?: Pick | undefined; variant?: string; shadow?: boolean; labels?: readonly string[] } = {},
  ) => {
    const latencyMs = performance.now() - started;
    recorder.record({
      time: Date.now(),
      serviceId,
      modelVersion: route?.modelVersion ?? "",
      predictionId,
      rows,
      latencyMs,
      error,
      confidence,
      features,
      outputs,
      labels: split.labels ?? [],
      abTest: split.pick?.abTest ?? "",
      canaryRollout: split.pick?.canaryRollout ?? "",
      variant: split.variant ?? split.pick?.variant ?? "",
      shadow: split.shadow ?? false,
    });
    metrics.observePrediction(serviceId, route?.modelVersion ?? "", latencyMs / 1000, rows, error === "" ? "ok" : "error");
  };

  /** Runs the A/B shadow copies of a request after its caller was answered; their outcome is only recorded. */
  const runShadows = (serviceId: string, pick: Pick, inputs: readonly TensorData[], rows: number) => {
    for (const arm of pick.shadows) {
      const started = performance.now();
      const id = newPredictionId(serviceId, arm.route.modelVersion, Date.now());
      arm.route
        .runDirect(inputs)
        .then((outputs) => {
          const classifications = classificationsOf(outputs, rows);
          const confidence = classifications.length ? classifications.reduce((a, c) => a + c.confidence, 0) / classifications.length : NaN;
          record(arm.route, serviceId, id, rows, started, "", confidence, featureSample(inputs), outputSample(outputs, rows), { pick, variant: arm.variant, shadow: true, labels: classifications.slice(0, 1024).map((c) => c.label) });
        })
        .catch((e: unknown) => record(arm.route, serviceId, id, rows, started, (e as { reason?: string }).reason ?? "ERROR", NaN, [], [], { pick, variant: arm.variant, shadow: true }));
    }
  };

  const settingsFrom = (s: { displayName: string; description: string; labels: Record<string, string>; batching?: Parameters<typeof batchingFromProto>[0]; session?: { intraOpThreads: number; interOpThreads: number } | undefined }): ServiceSettings => ({
    displayName: s.displayName,
    description: s.description,
    labels: s.labels,
    batching: batchingFromProto(s.batching),
    intraOpThreads: s.session?.intraOpThreads ?? 0,
    interOpThreads: s.session?.interOpThreads ?? 0,
  });

  /** The settings of a service being created, in the shape routes are built from. */
  const settingsView = (id: string, s: ServiceSettings) =>
    ({
      id,
      batchingEnabled: s.batching.enabled,
      maxBatchSize: s.batching.maxBatchSize,
      maxWaitMicros: s.batching.maxWaitMicros,
      intraOpThreads: s.intraOpThreads,
      interOpThreads: s.interOpThreads,
    }) as ServiceEntity;

  /** A request that found the model unloadable marks the service FAILED (gRPC health follows). */
  const noteLoadFailure = (serviceId: string, e: unknown) => {
    if (e instanceof AppError && e.reason === "MODEL_LOAD_FAILED") router.markFailed(serviceId, e.message);
  };

  /**
   * Runs one prediction call against the service's current route and records it (latency, rows,
   * outcome, mean confidence) whether it succeeds or fails.
   */
  const recordedCall = async <T>(
    serviceId: string,
    routingKey: string,
    rows: number,
    outputNames: readonly string[],
    work: (route: Route, callId: string) => Promise<{ value: T; failedRows: number; confidences: readonly number[]; labels?: readonly string[] }>,
  ): Promise<T & { route: Route; pick: Pick }> => {
    const started = performance.now();
    let pick: Pick | undefined;
    try {
      pick = await router.pick(serviceId, routingKey);
      const route = pick.route;
      checkOutputNames(outputNames, route.signature, "output_names");
      const callId = newPredictionId(serviceId, route.modelVersion, Date.now());
      const { value, failedRows, confidences, labels } = await work(route, callId);
      router.markServing(serviceId, route.modelVersion);
      const known = confidences.filter((c) => !Number.isNaN(c));
      const confidence = known.length ? known.reduce((a, c) => a + c, 0) / known.length : NaN;
      record(route, serviceId, callId, rows, started, failedRows === 0 ? "" : "ROW_ERRORS", confidence, [], [], { pick, labels: labels ?? [] });
      return { ...value, route, pick };
    } catch (e) {
      noteLoadFailure(serviceId, e);
      record(pick?.route, serviceId, "", rows, started, (e as { reason?: string }).reason ?? "ERROR", NaN, [], [], { pick });
      throw e;
    }
  };

  /** Marks row results with the split that answered them. */
  const stamp = (results: readonly RowPrediction[], pick: Pick) => {
    if (!pick.abTest && !pick.canaryRollout) return;
    for (const r of results) {
      if (r.status?.code !== 0) continue;
      r.abTest = pick.abTest;
      r.canaryRollout = pick.canaryRollout;
      r.variant = pick.variant;
    }
  };

  /**
   * Rows of a call predicted each on its own terms. Under a traffic split, rows are grouped by the
   * arm their routing key (or the call's) chooses, so sticky assignment holds row by row.
   */
  const predictCallRows = async (serviceId: string, rows: readonly PredictRow[], firstIndex: number, outputNames: readonly string[], routingKey: string) => {
    const keys = new Set(rows.map((r) => r.routingKey || routingKey));
    if (keys.size <= 1) {
      const answer = await recordedCall(serviceId, [...keys][0] ?? routingKey, rows.length, outputNames, async (route, callId) => {
        const outcomes = await predictRows(route, rows, firstIndex, callId, outputNames);
        return { value: { outcomes }, failedRows: outcomes.filter((o) => !o.ok).length, confidences: outcomes.map((o) => o.confidence), labels: outcomes.slice(0, 1024).map((o) => o.result.classification?.label ?? "") };
      });
      stamp(answer.outcomes.map((o) => o.result), answer.pick);
      return answer;
    }
    // Several routing keys: one call per arm, results put back in row order.
    const byArm = new Map<string, { indexes: number[]; key: string }>();
    for (const [i, r] of rows.entries()) {
      const key = r.routingKey || routingKey;
      const arm = (await router.pick(serviceId, key)).variant;
      const group = byArm.get(arm) ?? { indexes: [], key };
      group.indexes.push(i);
      byArm.set(arm, group);
    }
    const outcomes = new Array<RowOutcome>(rows.length);
    let last: Awaited<ReturnType<typeof recordedCall<{ outcomes: RowOutcome[] }>>> | undefined;
    for (const { indexes, key } of byArm.values()) {
      const subset = indexes.map((i) => rows[i]!);
      last = await recordedCall(serviceId, key, subset.length, outputNames, async (route, callId) => {
        const part = await predictRows(route, subset, 0, callId, outputNames);
        return { value: { outcomes: part }, failedRows: part.filter((o) => !o.ok).length, confidences: part.map((o) => o.confidence), labels: part.slice(0, 1024).map((o) => o.result.classification?.label ?? "") };
      });
      stamp(last.outcomes.map((o) => o.result), last.pick);
      last.outcomes.forEach((o, k) => {
        const at = indexes[k]!;
        o.result.index = BigInt(firstIndex + at);
        outcomes[at] = o;
      });
    }
    return { outcomes, route: last!.route, pick: last!.pick };
  };

  /** A message sent as columns, predicted in one run. */
  const predictCallColumns = (serviceId: string, tensors: readonly InferTensor[], firstIndex: number, outputNames: readonly string[], routingKey: string) =>
    recordedCall(serviceId, routingKey, Number(tensors[0]?.shape[0] ?? 0), outputNames, async (route, callId) => {
      const answer = await predictColumns(route, tensors, firstIndex, callId, outputNames);
      return {
        value: answer,
        failedRows: answer.results.filter((o) => !o.ok).length,
        confidences: answer.columns ? answer.columns.classifications.map((c) => c.confidence) : answer.results.map((o) => o.confidence),
      };
    });

  return {
    async createService(req, ctx) {
      const uc = useCaseContext(ctx);
      const id = req.serviceId;
      const target = targetFromProto(req.service!.target, "service.target");
      const settings = settingsFrom(req.service!);
      const response = await runIdempotent(
        uc.em,
        { scope: `${uc.actor.name}/CreateService`, requestId: req.requestId, request: toBinary(CreateServiceRequestSchema, req) },
        CreateServiceResponseSchema,
        async (em) => {
          const resolved = await router.resolveTargetName(em, target, serviceName(id), settingsView(id, settings));
          const service = await createService({ ...uc, em }, id, target, settings, resolved.name);
          await em.flush();
          return create(CreateServiceResponseSchema, { service: toServiceProto(service, { state: "loading", message: "", modelVersion: "" }, undefined) });
        },
      );
      // Loading happens after the answer: the service reports LOADING until its model is warm.
      void router.prepare(id);
      return response;
    },

    async getService(req, ctx) {
      const { em } = useCaseContext(ctx);
      return { service: await serviceProto(em, parseServiceName(req.name, "name")) };
    },

    async listServices(req, ctx) {
      const uc = useCaseContext(ctx);
      const page = await listServices(uc, req);
      return { services: page.items.map((s) => toServiceProto(s, router.status(s.id), undefined)), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) };
    },

    async updateService(req, ctx) {
      const uc = useCaseContext(ctx);
      const s = req.service!;
      const id = parseServiceName(s.name, "service.name");
      const paths = resolveUpdateMask(
        req.updateMask?.paths.map((p) => p.split(".")[0]!),
        ["display_name", "description", "labels", "batching", "session"],
        (p) => (p === "labels" ? Object.keys(s.labels).length > 0 : p === "batching" ? s.batching !== undefined : p === "session" ? s.session !== undefined : (p === "display_name" ? s.displayName : s.description) !== ""),
      );
      const all = settingsFrom(s);
      const changes: { -readonly [K in keyof ServiceSettings]?: ServiceSettings[K] } = {};
      if (paths.has("display_name")) changes.displayName = all.displayName;
      if (paths.has("description")) changes.description = all.description;
      if (paths.has("labels")) changes.labels = all.labels;
      if (paths.has("batching")) changes.batching = all.batching;
      if (paths.has("session")) {
        changes.intraOpThreads = all.intraOpThreads;
        changes.interOpThreads = all.interOpThreads;
      }
      await updateService(uc, id, changes, s.etag);
      router.invalidate(id);
      return { service: await serviceProto(uc.em, id) };
    },

    async deleteService(req, ctx) {
      const id = parseServiceName(req.name, "name");
      await deleteService(useCaseContext(ctx), id, req.etag);
      router.forget(id);
      return {};
    },

    async setServiceTarget(req, ctx) {
      const uc = useCaseContext(ctx);
      const id = parseServiceName(req.name, "name");
      const target = targetFromProto(req.target, "target");
      const response = await runIdempotent(
        uc.em,
        { scope: `${uc.actor.name}/SetServiceTarget`, requestId: req.requestId, request: toBinary(SetServiceTargetRequestSchema, req) },
        SetServiceTargetResponseSchema,
        async (em) => {
          const service = await getService(em, id);
          const resolved = await router.resolveTargetName(em, target, req.name, service);
          // Load and warm before switching: a version that cannot load never takes traffic.
          await resolved.load();
          const previous = router.status(id)?.modelVersion ?? "";
          const updated = await setServiceTarget({ ...uc, em }, id, target, resolved.name, previous, req.reason, req.etag);
          await em.flush();
          return create(SetServiceTargetResponseSchema, { service: toServiceProto(updated, { state: "serving", message: "", modelVersion: resolved.name }, resolved.signature) });
        },
      );
      router.invalidate(id);
      router.markServing(id, response.service?.resolvedModelVersion ?? "");
      return response;
    },

    async listServiceTargetHistory(req, ctx) {
      const page = await listTargetHistory(useCaseContext(ctx), parseServiceName(req.parent, "parent"), req);
      return { changes: page.items.map(toTargetChangeProto), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) };
    },

    async predict(req) {
      const started = performance.now();
      const serviceId = parseServiceName(req.service, "service");
      let route: Route | undefined;
      let pick: Pick | undefined;
      let features: number[] = [];
      try {
        pick = await router.pick(serviceId, req.routingKey);
        route = pick.route;
        const inputs = req.inputs.map((t, i) => decodeTensor(t, `inputs[${i}]`));
        checkInputs(inputs, route.signature, "inputs", true);
        checkOutputNames(req.outputNames, route.signature, "output_names");
        const rows = batchRows(inputs, "inputs");
        features = featureSample(inputs);
        const ensemble = route.runEnsemble ? await route.runEnsemble(inputs) : undefined;
        const outputs = ensemble ? ensemble.outputs : await route.run(inputs, rows);
        router.markServing(serviceId, route.modelVersion);
        const predictionId = newPredictionId(serviceId, route.modelVersion, Date.now());
        if (ensemble) deps.ensembles?.recordPrediction(predictionId, route.modelVersion, ensemble);
        const classifications = classificationsOf(outputs, rows);
        const latencyMs = performance.now() - started;
        const confidence = classifications.length ? classifications.reduce((a, c) => a + c.confidence, 0) / classifications.length : NaN;
        record(route, serviceId, predictionId, rows, started, "", confidence, features, outputSample(outputs, rows), { pick, labels: classifications.slice(0, 1024).map((c) => c.label) });
        if (pick.shadows.length > 0) runShadows(serviceId, pick, inputs, rows);
        return create(PredictResponseSchema, {
          predictionId,
          service: req.service,
          modelVersion: ensemble ? "" : route.modelVersion,
          ensembleSnapshot: ensemble ? route.modelVersion : "",
          ensembleMembers: (ensemble?.members ?? []).map((m) => ({ modelVersion: m.modelVersion, status: { code: m.ok ? 0 : /timed out/.test(m.error) ? 4 : 14, message: m.error }, latency: durationFromMillis(m.latencyMs), weight: m.weight })),
          abTest: pick.abTest,
          canaryRollout: pick.canaryRollout,
          variant: pick.variant,
          outputs: encodeOutputs(outputs, req.outputNames, usesRawContents(req.inputs)),
          classifications,
          latency: durationFromMillis(latencyMs),
        });
      } catch (e) {
        noteLoadFailure(serviceId, e);
        record(route, serviceId, "", 0, started, (e as { reason?: string }).reason ?? "ERROR", NaN, features, [], { pick });
        throw e;
      }
    },

    async predictBatch(req) {
      const started = performance.now();
      const { outcomes } = await predictCallRows(parseServiceName(req.service, "service"), req.rows, 0, req.outputNames, req.routingKey);
      return {
        results: outcomes.map((o) => o.result),
        latency: durationFromMillis(performance.now() - started),
        failedRowCount: BigInt(outcomes.filter((o) => !o.ok).length),
      };
    },

    async *streamPredict(requests: AsyncIterable<StreamPredictRequest>): AsyncGenerator<StreamPredictResponse> {
      let serviceId: string | undefined;
      let outputNames: readonly string[] = [];
      let routingKey = "";
      let messageIndex = 0;
      let rowIndex = 0;
      // One message in flight: the next is read only after this one is answered, so memory stays
      // bounded by one message whatever the client sends (HTTP/2 flow control holds the rest).
      for await (const m of requests) {
        const started = performance.now();
        if (serviceId === undefined) {
          if (m.service === "") throw invalidField("service", "is required on the first message of the stream");
          serviceId = parseServiceName(m.service, "service");
          outputNames = m.outputNames;
          routingKey = m.routingKey;
        } else if (m.service !== "" && m.service !== serviceName(serviceId)) {
          throw invalidField("service", `must stay ${serviceName(serviceId)} for the whole stream`);
        }
        if (m.columns) {
          if (m.rows.length > 0) throw invalidField("columns", "send rows or columns in a message, not both");
          const answer = await predictCallColumns(serviceId, m.columns.inputs, rowIndex, outputNames, routingKey);
          rowIndex += answer.rows;
          yield create(StreamPredictResponseSchema, {
            results: answer.results.map((o) => o.result),
            columns: answer.columns,
            messageIndex: BigInt(messageIndex++),
            latency: durationFromMillis(performance.now() - started),
          });
          continue;
        }
        const { outcomes } = await predictCallRows(serviceId, m.rows, rowIndex, outputNames, routingKey);
        rowIndex += m.rows.length;
        yield create(StreamPredictResponseSchema, {
          results: outcomes.map((o) => o.result),
          messageIndex: BigInt(messageIndex++),
          latency: durationFromMillis(performance.now() - started),
        });
      }
    },

    async *streamPredictBatch(req: StreamPredictBatchRequest, ctx: HandlerContext): AsyncGenerator<StreamPredictBatchResponse> {
      const started = performance.now();
      const serviceId = parseServiceName(req.service, "service");
      const perMessage = req.rowsPerMessage || DEFAULT_ROWS_PER_MESSAGE;
      const uc: UseCaseContext = useCaseContext(ctx);
      const versions = new Set<string>();
      let rowCount = 0;
      let failed = 0;
      const source: AsyncIterable<PredictRow[]> =
        req.source.case === "inlineRows"
          ? (async function* () {
              const rows = req.source.case === "inlineRows" ? req.source.value.rows : [];
              for (let i = 0; i < rows.length; i += perMessage) yield rows.slice(i, i + perMessage);
            })()
          : req.source.case === "dataset"
            ? datasetRows(uc.em, deps.store, req.source.value.uri, req.source.value.format === DatasetFormat.CSV ? "csv" : "jsonl", await router.route(serviceId).then((r) => r.signature), perMessage, ctx.signal)
            : (() => {
                throw invalidField("source", "inline_rows or dataset is required");
              })();
      for await (const rows of source) {
        const { route, outcomes } = await predictCallRows(serviceId, rows, rowCount, req.outputNames, req.routingKey);
        rowCount += rows.length;
        failed += outcomes.filter((o: RowOutcome) => !o.ok).length;
        versions.add(route.modelVersion);
        yield create(StreamPredictBatchResponseSchema, { results: outcomes.map((o) => o.result) });
      }
      yield create(StreamPredictBatchResponseSchema, {
        summary: create(StreamPredictBatchSummarySchema, {
          rowCount: BigInt(rowCount),
          succeededRowCount: BigInt(rowCount - failed),
          failedRowCount: BigInt(failed),
          latency: durationFromMillis(performance.now() - started),
          modelVersions: [...versions],
        }),
      });
    },

    async reportFeedback(req, ctx) {
      const ref = parsePredictionId(req.predictionId);
      if (!ref) throw predictionNotFound(req.predictionId);
      const uc = useCaseContext(ctx);
      const recorded = recorder.find(req.predictionId);
      const split = { abTest: recorded?.abTest ?? "", canaryRollout: recorded?.canaryRollout ?? "", variant: recorded?.variant ?? "" };
      await reportFeedback(uc, req.predictionId, ref, {
        row: ref.row ?? req.row,
        label: req.outcome.case === "label" ? req.outcome.value : null,
        value: req.outcome.case === "value" ? req.outcome.value : null,
        metrics: req.metrics,
        predictedLabel: recorded?.labels?.[ref.row ?? req.row] || null,
        ...split,
      });
      return { predictionId: req.predictionId, service: serviceName(ref.serviceId), modelVersion: ref.answeredBy.startsWith("models/") ? ref.answeredBy : "", ensembleSnapshot: ref.answeredBy.startsWith("ensembles/") ? ref.answeredBy : "", ...split };
    },
  };
}
