import { create } from "@bufbuild/protobuf";
import { durationMs, timestampFromDate, type Duration } from "@bufbuild/protobuf/wkt";
import { durationFromMillis } from "../platform/duration.js";
import { MoneySchema, type Money } from "@artenic/gen/google/type/money_pb";
import { MachineSpecSchema } from "@artenic/gen/artenic/training/v1/machine_spec_pb";
import {
  CheckpointSchema,
  CodeSourceSchema,
  FailoverMode,
  PlacementSchema,
  PlacementStrategy,
  PreemptionPolicySchema,
  ProviderJobSchema,
  TrainingJobSchema,
  TrainingJobSpecSchema,
  TrainingJobState,
  TrainingOutputSchema,
  type Checkpoint,
  type TrainingJob,
  type TrainingJobSpec,
} from "@artenic/gen/artenic/training/v1/training_job_pb";
import { TrainingLogLineSchema, TrainingLogStream, TrainingMetricReportSchema, type TrainingLogLine, type TrainingMetricReport } from "@artenic/gen/artenic/training/v1/training_service_pb";
import { etagOf } from "../platform/context.js";
import { invalidField } from "../platform/errors/app-error.js";
import { accruedCost } from "./training-job.use-cases.js";
import type {
  CheckpointRecord,
  FailoverModeName,
  JobSpecRecord,
  JobState,
  LogStreamName,
  PlacementStrategyName,
  TrainingJobEntity,
  TrainingLogLineEntity,
  TrainingMetricReportEntity,
} from "./training-job.entity.js";

const ID = "[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?";

/** `trainingJobs/{id}` → id; INVALID_ARGUMENT naming the field otherwise. */
export function parseJobName(name: string, field: string): string {
  const m = new RegExp(`^trainingJobs/(${ID})$`).exec(name);
  if (!m) throw invalidField(field, `"${name}" is not a name of the form trainingJobs/{training_job}`, "INVALID_RESOURCE_NAME");
  return m[1]!;
}

function stripPrefix(value: string, prefix: string): string {
  return value.startsWith(prefix) ? value.slice(prefix.length) : value;
}

const states: Record<JobState, TrainingJobState> = {
  queued: TrainingJobState.QUEUED,
  provisioning: TrainingJobState.PROVISIONING,
  running: TrainingJobState.RUNNING,
  succeeded: TrainingJobState.SUCCEEDED,
  failed: TrainingJobState.FAILED,
  cancelled: TrainingJobState.CANCELLED,
  preempted: TrainingJobState.PREEMPTED,
};

const strategies: Record<PlacementStrategyName, PlacementStrategy> = { cheapest: PlacementStrategy.CHEAPEST, fastest: PlacementStrategy.FASTEST };
const failoverModes: Record<FailoverModeName, FailoverMode> = {
  same_placement: FailoverMode.SAME_PLACEMENT,
  next_region: FailoverMode.NEXT_REGION,
  next_provider: FailoverMode.NEXT_PROVIDER,
  anywhere: FailoverMode.ANYWHERE,
};
const streams: Record<LogStreamName, TrainingLogStream> = { stdout: TrainingLogStream.STDOUT, stderr: TrainingLogStream.STDERR, system: TrainingLogStream.SYSTEM };

/** A decimal amount as google.type.Money (units and nanos carry the same sign). */
export function toMoney(amount: number, currency: string): Money {
  const nanosTotal = Math.round(amount * 1e9);
  const units = Math.trunc(nanosTotal / 1e9);
  return create(MoneySchema, { currencyCode: currency, units: BigInt(units), nanos: nanosTotal - units * 1e9 });
}

export function fromMoney(money: Money): number {
  return Number(money.units) + money.nanos / 1e9;
}

/**
 * Reads the spec of a CreateTrainingJob request into the domain's record. Protovalidate has checked
 * shapes already; what it cannot know (the platform currency) is checked here, naming the field.
 */
export function specFromProto(spec: TrainingJobSpec, currency: string): { spec: JobSpecRecord; secretEnv: Record<string, string> } {
  const field = "training_job.spec";
  const code = spec.code;
  let codeRecord: JobSpecRecord["code"] = null;
  if (code && code.source.case !== undefined) {
    codeRecord = {
      kind: code.source.case === "artifact" ? "artifact" : code.source.case === "localPath" ? "local_path" : "uri",
      value: code.source.value,
      sha256: code.sha256,
      workingDir: code.workingDir,
    };
  }
  if (spec.maxCost && spec.maxCost.currencyCode !== currency) {
    throw invalidField(`${field}.max_cost.currency_code`, `must be the platform currency ${currency}, not ${spec.maxCost.currencyCode}`, "CURRENCY_MISMATCH");
  }
  const r = spec.resources;
  const p = spec.placement;
  const pp = spec.preemptionPolicy;
  const o = spec.output;
  const strategy: PlacementStrategyName = p?.strategy === PlacementStrategy.FASTEST ? "fastest" : "cheapest";
  const mode = pp ? (Object.entries(failoverModes).find(([, v]) => v === pp.failoverMode)?.[0] as FailoverModeName | undefined) ?? "anywhere" : "anywhere";
  return {
    spec: {
      image: spec.image,
      command: [...spec.command],
      args: [...spec.args],
      code: codeRecord,
      env: { ...spec.env },
      secretEnvKeys: Object.keys(spec.secretEnv).sort(),
      hyperparameters: { ...spec.hyperparameters },
      resources: r
        ? { cpus: r.cpus, memoryBytes: Number(r.memoryBytes), gpuType: r.gpuType, gpuCount: r.gpuCount, gpuMemoryBytes: Number(r.gpuMemoryBytes), diskBytes: Number(r.diskBytes) }
        : null,
      placement: p
        ? {
            provider: stripPrefix(p.provider, "providers/"),
            region: p.region,
            instanceType: p.instanceType,
            strategy,
            allowedProviders: p.allowedProviders.map((a) => stripPrefix(a, "providers/")),
            allowedRegions: [...p.allowedRegions],
          }
        : null,
      spot: spec.spot,
      preemption: pp ? { maxRetries: pp.maxRetries ?? null, failoverMode: mode, fallBackToOnDemand: pp.fallBackToOnDemand, ignoreCheckpoints: pp.ignoreCheckpoints } : null,
      maxRuntimeMs: spec.maxRuntime ? durationMs(spec.maxRuntime as Duration) : null,
      maxCost: spec.maxCost ? fromMoney(spec.maxCost) : null,
      output: o ? { model: stripPrefix(o.model, "models/"), modelPath: o.modelPath, modelVersionLabels: { ...o.modelVersionLabels }, modelVersionDescription: o.modelVersionDescription } : null,
    },
    secretEnv: { ...spec.secretEnv },
  };
}

/** The spec as clients sent it; secret values come back empty (their keys only). */
export function specToProto(spec: JobSpecRecord, currency: string): TrainingJobSpec {
  const c = spec.code;
  return create(TrainingJobSpecSchema, {
    image: spec.image,
    command: [...spec.command],
    args: [...spec.args],
    ...(c
      ? {
          code: create(CodeSourceSchema, {
            source: { case: c.kind === "artifact" ? "artifact" : c.kind === "local_path" ? "localPath" : "uri", value: c.value },
            sha256: c.sha256,
            workingDir: c.workingDir,
          }),
        }
      : {}),
    env: { ...spec.env },
    secretEnv: Object.fromEntries(spec.secretEnvKeys.map((k) => [k, ""])),
    hyperparameters: { ...spec.hyperparameters },
    ...(spec.resources
      ? {
          resources: create(MachineSpecSchema, {
            cpus: spec.resources.cpus,
            memoryBytes: BigInt(spec.resources.memoryBytes),
            gpuType: spec.resources.gpuType,
            gpuCount: spec.resources.gpuCount,
            gpuMemoryBytes: BigInt(spec.resources.gpuMemoryBytes),
            diskBytes: BigInt(spec.resources.diskBytes),
          }),
        }
      : {}),
    ...(spec.placement
      ? {
          placement: create(PlacementSchema, {
            provider: spec.placement.provider ? `providers/${spec.placement.provider}` : "",
            region: spec.placement.region,
            instanceType: spec.placement.instanceType,
            strategy: strategies[spec.placement.strategy],
            allowedProviders: spec.placement.allowedProviders.map((a) => `providers/${a}`),
            allowedRegions: [...spec.placement.allowedRegions],
          }),
        }
      : {}),
    spot: spec.spot,
    ...(spec.preemption
      ? {
          preemptionPolicy: create(PreemptionPolicySchema, {
            ...(spec.preemption.maxRetries !== null ? { maxRetries: spec.preemption.maxRetries } : {}),
            failoverMode: failoverModes[spec.preemption.failoverMode],
            fallBackToOnDemand: spec.preemption.fallBackToOnDemand,
            ignoreCheckpoints: spec.preemption.ignoreCheckpoints,
          }),
        }
      : {}),
    ...(spec.maxRuntimeMs !== null ? { maxRuntime: durationFromMillis(spec.maxRuntimeMs) } : {}),
    ...(spec.maxCost !== null ? { maxCost: toMoney(spec.maxCost, currency) } : {}),
    ...(spec.output
      ? {
          output: create(TrainingOutputSchema, {
            model: spec.output.model ? `models/${spec.output.model}` : "",
            modelPath: spec.output.modelPath,
            modelVersionLabels: { ...spec.output.modelVersionLabels },
            modelVersionDescription: spec.output.modelVersionDescription,
          }),
        }
      : {}),
  });
}

export function toCheckpointProto(c: CheckpointRecord): Checkpoint {
  return create(CheckpointSchema, { uri: c.uri, step: BigInt(Math.trunc(c.step)), metrics: { ...c.metrics }, createTime: timestampFromDate(new Date(c.createTime)) });
}

/** The job as the API shows it; the cost of a job still running is what it accrued up to `now`. */
export function toTrainingJobProto(job: TrainingJobEntity, now: Date = new Date()): TrainingJob {
  const placed = job.provider !== "";
  return create(TrainingJobSchema, {
    name: `trainingJobs/${job.id}`,
    displayName: job.displayName,
    description: job.description,
    labels: { ...job.labels },
    service: job.service,
    spec: specToProto(job.spec, job.currency),
    creator: job.creator,
    state: states[job.state as JobState] ?? TrainingJobState.UNSPECIFIED,
    stateMessage: job.stateMessage,
    ...(job.exitCode !== null && job.exitCode !== undefined ? { exitCode: job.exitCode } : {}),
    attempt: job.attempt,
    retryOf: job.retryOf,
    retriedBy: job.retriedBy,
    originalJob: job.originalJob,
    ...(placed
      ? {
          providerJob: create(ProviderJobSchema, {
            provider: job.provider,
            region: job.region,
            instanceType: job.instanceType,
            spot: job.spotPlacement,
            handle: job.handle?.id ?? "",
            providerState: job.providerState,
            hourlyPrice: toMoney(job.hourlyPrice, job.currency),
            ...(job.submitTime ? { submitTime: timestampFromDate(job.submitTime) } : {}),
            ...(job.lastPollTime ? { lastPollTime: timestampFromDate(job.lastPollTime) } : {}),
            ...(job.releaseTime ? { releaseTime: timestampFromDate(job.releaseTime) } : {}),
          }),
          estimatedCost: toMoney(job.estimatedCost, job.currency),
          actualCost: toMoney(accruedCost(job, now), job.currency),
        }
      : {}),
    metrics: { ...job.metrics },
    metricsStep: BigInt(Math.trunc(job.metricsStep)),
    ...(job.lastCheckpoint ? { lastCheckpoint: toCheckpointProto(job.lastCheckpoint) } : {}),
    artifactsUri: job.artifactsUri,
    outputModelVersion: job.outputModelVersion,
    createTime: timestampFromDate(job.createTime),
    ...(job.startTime ? { startTime: timestampFromDate(job.startTime) } : {}),
    ...(job.endTime ? { endTime: timestampFromDate(job.endTime) } : {}),
    updateTime: timestampFromDate(job.updateTime),
    etag: etagOf(job.revision),
  });
}

export function toLogLineProto(line: TrainingLogLineEntity): TrainingLogLine {
  return create(TrainingLogLineSchema, {
    sequence: BigInt(line.seq),
    time: timestampFromDate(line.time),
    stream: streams[line.stream as LogStreamName] ?? TrainingLogStream.STDOUT,
    text: line.text,
  });
}

export function logStreamFromProto(stream: TrainingLogStream): LogStreamName {
  return stream === TrainingLogStream.STDERR ? "stderr" : stream === TrainingLogStream.SYSTEM ? "system" : "stdout";
}

export function toMetricReportProto(report: TrainingMetricReportEntity): TrainingMetricReport {
  return create(TrainingMetricReportSchema, { step: BigInt(Math.trunc(report.step)), metrics: { ...report.metrics }, time: timestampFromDate(report.time) });
}
