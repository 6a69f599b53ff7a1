import type { EntityManager } from "@mikro-orm/core";
import type { Logger } from "pino";
import { getModelVersion, parseVersionName, type ModelSignatureInfo } from "../registry/index.js";
import { listAllServiceIds, type ModelRouter, type PredictionRecorder, type PredictionRecord } from "../inference/index.js";
import { SYSTEM_ACTOR } from "../platform/outbox/outbox.js";
import { captureDistributions, evaluateHealth, featureColumns } from "./evaluate.js";
import { getBaseline, getThresholds, latestStatus, pruneSnapshots, putBaseline, saveSnapshots } from "./health.use-cases.js";
import { targetName, type HealthReport, type HealthTarget } from "./health.types.js";
import { AppError } from "../platform/errors/app-error.js";

export interface HealthMonitorOptions {
  readonly em: () => EntityManager;
  readonly recorder: PredictionRecorder;
  readonly router: ModelRouter;
  readonly logger: Logger;
  /** How often every target is evaluated and a snapshot persisted. */
  readonly snapshotIntervalMs: number;
  /** How long snapshots are kept. */
  readonly snapshotRetentionMs: number;
  readonly now?: () => number;
}

/** The model's first input and first numeric output, to name features. */
function featureNames(signature: ModelSignatureInfo | null | undefined): { inputName: string; outputName: string } {
  const input = signature?.inputs[0]?.name ?? "input";
  const output = signature?.outputs.find((o) => o.kind === "tensor" && o.dataType !== "string")?.name ?? "output";
  return { inputName: input, outputName: output };
}

/**
 * Watches model health in this process: evaluates any target on demand from the prediction buffer,
 * and on a schedule evaluates every service and every model version seen recently, persists the
 * snapshots, publishes status changes as events, captures baselines automatically when asked, and
 * prunes old snapshots. Figures cover the predictions this process served.
 */
export class HealthMonitor {
  private readonly lastStatus = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: HealthMonitorOptions) {
    this.now = options.now ?? Date.now;
  }

  private recordsOf(target: HealthTarget, since: number): PredictionRecord[] {
    if (target.kind === "service") return this.options.recorder.since(since, target.serviceId);
    const name = targetName(target);
    return this.options.recorder.since(since).filter((r) => r.modelVersion === name);
  }

  /** Evaluates one target now. */
  async evaluate(target: HealthTarget, em: EntityManager = this.options.em()): Promise<HealthReport> {
    const { settings } = await getThresholds(em, target);
    const baseline = await getBaseline(em, target);
    const now = this.now();
    let serving: boolean | undefined;
    let servingMessage = "";
    let versionName: string | undefined;
    if (target.kind === "service") {
      const status = this.options.router.status(target.serviceId);
      serving = status ? status.state !== "failed" : undefined;
      servingMessage = status?.message ?? "";
      versionName = status?.modelVersion || undefined;
    } else {
      versionName = targetName(target);
    }
    let signature: ModelSignatureInfo | null = null;
    if (versionName) {
      const { modelId, number } = parseVersionName(versionName, "name");
      signature = ((await getModelVersion(em, modelId, number).catch(() => undefined))?.signature ?? null) as ModelSignatureInfo | null;
    }
    return evaluateHealth({
      target: targetName(target),
      thresholds: settings,
      records: this.recordsOf(target, now - settings.windowMs),
      baseline: baseline ? { name: `${baseline.target}/health/baseline`, inputs: baseline.inputs, outputs: baseline.outputs } : null,
      ...featureNames(signature),
      serving,
      servingMessage,
      now,
    });
  }

  /**
   * Captures a baseline from the target's recent predictions (the last `lookbackMs`). Throws
   * FAILED_PRECONDITION when fewer than the target's `min_samples` predictions were recorded.
   */
  async capture(target: HealthTarget, lookbackMs: number, em: EntityManager, actor = SYSTEM_ACTOR) {
    const { settings } = await getThresholds(em, target);
    const end = this.now();
    const start = end - lookbackMs;
    const records = this.recordsOf(target, start).filter((r) => !r.error);
    if (records.length < settings.minSamples) {
      throw new AppError(
        "failed_precondition",
        "NOT_ENOUGH_PREDICTIONS",
        `Only ${records.length} predictions of ${targetName(target)} were recorded in the lookback; a baseline needs at least ${settings.minSamples}.`,
        { name: targetName(target), recorded: String(records.length), needed: String(settings.minSamples) },
      );
    }
    const versionName = target.kind === "service" ? this.options.router.status(target.serviceId)?.modelVersion : targetName(target);
    let signature: ModelSignatureInfo | null = null;
    if (versionName) {
      const { modelId, number } = parseVersionName(versionName, "name");
      signature = ((await getModelVersion(em, modelId, number).catch(() => undefined))?.signature ?? null) as ModelSignatureInfo | null;
    }
    const names = featureNames(signature);
    const columns = featureColumns(records, start, end + 1, names.inputName, names.outputName);
    return putBaseline(
      em,
      actor,
      target,
      {
        source: "captured",
        captureStartTime: new Date(start),
        captureEndTime: new Date(end),
        modelVersions: [...new Set(records.map((r) => r.modelVersion).filter(Boolean))],
        sampleCount: records.length,
        inputs: captureDistributions(columns.inputs, settings.driftBins),
        outputs: captureDistributions(columns.outputs, settings.driftBins),
      },
      new Date(end),
    );
  }

  /** The targets worth a snapshot: every service, and every model version seen in the buffer lately. */
  private async targets(em: EntityManager): Promise<HealthTarget[]> {
    const services: HealthTarget[] = (await listAllServiceIds(em)).map((serviceId) => ({ kind: "service", serviceId }));
    const versions = new Set(this.options.recorder.since(this.now() - 60 * 60 * 1000).map((r) => r.modelVersion).filter(Boolean));
    const versionTargets: HealthTarget[] = [...versions].map((v) => {
      const { modelId, number } = parseVersionName(v, "model_version");
      return { kind: "version", modelId, number };
    });
    return [...services, ...versionTargets];
  }

  /** One scheduled pass: evaluate, persist, publish status changes, auto-capture, prune. */
  async snapshotAll(): Promise<HealthReport[]> {
    const em = this.options.em();
    const reports: { report: HealthReport; previous: string | undefined }[] = [];
    for (const target of await this.targets(em)) {
      const name = targetName(target);
      try {
        const report = await this.evaluate(target, em);
        const previous = this.lastStatus.get(name) ?? (await latestStatus(em, name));
        this.lastStatus.set(name, report.status);
        reports.push({ report, previous });
        const { settings } = await getThresholds(em, target);
        if (settings.autoCaptureBaseline && report.baseline === "" && report.requestCount >= settings.minSamples) {
          await em.transactional((tx) => this.capture(target, settings.windowMs, tx)).catch((e: unknown) => {
            if (!(e instanceof AppError)) throw e;
          });
        }
      } catch (e) {
        this.options.logger.warn({ err: e, target: name }, "health evaluation failed");
      }
    }
    await saveSnapshots(em, SYSTEM_ACTOR, reports);
    await pruneSnapshots(em, new Date(this.now() - this.options.snapshotRetentionMs));
    return reports.map((r) => r.report);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.snapshotAll()
        .then(() => undefined)
        .catch((e: unknown) => this.options.logger.warn({ err: e }, "health snapshots failed"))
        .finally(() => (this.running = undefined));
    }, this.options.snapshotIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * Yields the target's health now, then whenever the status changes, and at least every
   * `intervalMs`; ends when `signal` aborts.
   */
  async *watch(target: HealthTarget, intervalMs: number, signal: AbortSignal): AsyncGenerator<{ report: HealthReport; statusChanged: boolean }> {
    let last: string | undefined;
    let lastSent = 0;
    // Checking once a second is cheap (an in-memory window) and bounds how late a change is seen.
    const tick = Math.min(1000, intervalMs);
    while (!signal.aborted) {
      const report = await this.evaluate(target);
      const changed = last !== undefined && report.status !== last;
      if (last === undefined || changed || this.now() - lastSent >= intervalMs) {
        yield { report, statusChanged: changed };
        lastSent = this.now();
      }
      last = report.status;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, tick);
        signal.addEventListener("abort", () => {
          clearTimeout(t);
          resolve();
        }, { once: true });
      });
    }
  }
}
