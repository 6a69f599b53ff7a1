import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ModelSchema, type Model } from "@artenic/gen/artenic/registry/v1/model_pb";
import {
  ArtifactFormat as ArtifactFormatProto,
  ArtifactSchema,
  ModelVersionSchema,
  ModelVersionStage,
  type ModelVersion,
} from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { ModelTransitionKind, ModelTransitionSchema, type ModelTransition } from "@artenic/gen/artenic/registry/v1/model_transition_pb";
import { DataType, ModelSignatureSchema, TensorKind as TensorKindProto, TensorSpecSchema, type ModelSignature } from "@artenic/gen/artenic/type/v1/tensor_pb";
import type { ModelEntity, ModelTransitionEntity, ModelVersionEntity } from "./model.entity.js";
import { modelName, versionName, type ArtifactFormat, type ModelFacts, type Stage } from "./model.use-cases.js";
import type { DataTypeName, ModelSignatureInfo, TensorInfo } from "./onnx-signature.js";
import { etagOf } from "../platform/context.js";
import { invalidField } from "../platform/errors/app-error.js";

const ID = "[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?";
const MODEL_NAME = new RegExp(`^models/(${ID})$`);
const VERSION_NAME = new RegExp(`^models/(${ID})/versions/([1-9][0-9]{0,17})$`);

/** Parses `models/{model}`; `-` is accepted where `allowWildcard` (AIP-159). */
export function parseModelName(name: string, field: string, allowWildcard = false): string {
  if (allowWildcard && name === "models/-") return "-";
  const m = MODEL_NAME.exec(name);
  if (!m) throw invalidField(field, `"${name}" is not a model name (models/{model})`, "INVALID_RESOURCE_NAME");
  return m[1]!;
}

/** Parses `models/{model}/versions/{version}` into the model id and the version number. */
export function parseVersionName(name: string, field: string): { modelId: string; number: number } {
  const m = VERSION_NAME.exec(name);
  const number = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(number)) {
    throw invalidField(field, `"${name}" is not a model version name (models/{model}/versions/{version})`, "INVALID_RESOURCE_NAME");
  }
  return { modelId: m[1]!, number };
}

const stageToProto: Record<Stage, ModelVersionStage> = {
  none: ModelVersionStage.NONE,
  staging: ModelVersionStage.STAGING,
  production: ModelVersionStage.PRODUCTION,
  archived: ModelVersionStage.ARCHIVED,
};

export function stageFromProto(stage: ModelVersionStage, field: string): Stage {
  for (const [k, v] of Object.entries(stageToProto)) if (v === stage) return k as Stage;
  throw invalidField(field, "must be NONE, STAGING, PRODUCTION or ARCHIVED");
}

export function formatFromProto(format: ArtifactFormatProto): ArtifactFormat {
  return format === ArtifactFormatProto.ONNX ? "onnx" : "other";
}

const formatToProto = (f: string): ArtifactFormatProto => (f === "onnx" ? ArtifactFormatProto.ONNX : ArtifactFormatProto.OTHER);

export function toModelProto(model: ModelEntity, facts: ModelFacts): Model {
  const aliases: Record<string, string> = {};
  for (const [alias, n] of facts.aliases.get(model.id) ?? []) aliases[alias] = versionName(model.id, n);
  const latest = facts.latest.get(model.id);
  const production = facts.production.get(model.id);
  return create(ModelSchema, {
    name: modelName(model.id),
    displayName: model.displayName,
    description: model.description,
    framework: model.framework,
    labels: { ...model.labels },
    aliases,
    latestVersion: latest === undefined ? "" : versionName(model.id, latest),
    productionVersion: production === undefined ? "" : versionName(model.id, production),
    versionCount: BigInt(facts.versionCount.get(model.id) ?? 0),
    createTime: timestampFromDate(model.createTime),
    updateTime: timestampFromDate(model.updateTime),
    etag: etagOf(model.revision),
  });
}

const dataTypes: Record<DataTypeName, DataType> = {
  float32: DataType.FLOAT32,
  float64: DataType.FLOAT64,
  int32: DataType.INT32,
  int64: DataType.INT64,
  bool: DataType.BOOL,
  string: DataType.STRING,
  float16: DataType.FLOAT16,
  uint8: DataType.UINT8,
  int8: DataType.INT8,
  uint16: DataType.UINT16,
  int16: DataType.INT16,
  uint32: DataType.UINT32,
  uint64: DataType.UINT64,
  unspecified: DataType.UNSPECIFIED,
};

const kinds = {
  tensor: TensorKindProto.TENSOR,
  sequence_of_maps: TensorKindProto.SEQUENCE_OF_MAPS,
  map: TensorKindProto.MAP,
  sequence: TensorKindProto.SEQUENCE,
} as const;

function tensorSpec(t: TensorInfo) {
  return create(TensorSpecSchema, {
    name: t.name,
    dataType: dataTypes[t.dataType],
    shape: t.shape.map((d) => BigInt(d)),
    dimNames: [...t.dimNames],
    kind: kinds[t.kind],
    keyType: t.keyType ? dataTypes[t.keyType] : DataType.UNSPECIFIED,
  });
}

export function toSignatureProto(s: ModelSignatureInfo): ModelSignature {
  return create(ModelSignatureSchema, {
    inputs: s.inputs.map(tensorSpec),
    outputs: s.outputs.map(tensorSpec),
    irVersion: BigInt(s.irVersion),
    opsetVersions: Object.fromEntries(Object.entries(s.opsetVersions).map(([k, v]) => [k, BigInt(v)])),
    producerName: s.producerName,
    producerVersion: s.producerVersion,
  });
}

export function toModelVersionProto(v: ModelVersionEntity, aliases: ReadonlyMap<string, string[]>): ModelVersion {
  const modelId = (v.model as unknown as { id: string }).id;
  const name = versionName(modelId, v.number);
  const hasArtifact = v.artifactUri !== "";
  return create(ModelVersionSchema, {
    name,
    versionNumber: BigInt(v.number),
    description: v.description,
    labels: { ...v.labels },
    stage: stageToProto[v.stage as Stage],
    aliases: aliases.get(name) ?? [],
    artifact: hasArtifact
      ? create(ArtifactSchema, {
          uri: v.artifactExternal ? v.artifactUri : `${name}/artifact`,
          format: formatToProto(v.artifactFormat),
          sizeBytes: BigInt(v.artifactSizeBytes),
          sha256: v.artifactSha256,
          contentType: v.artifactContentType,
          external: v.artifactExternal,
        })
      : undefined,
    signature: v.signature ? toSignatureProto(v.signature as ModelSignatureInfo) : undefined,
    metrics: { ...v.metrics },
    params: { ...v.params },
    sourceTrainingJob: v.sourceTrainingJob,
    creator: v.creator,
    createTime: timestampFromDate(v.createTime),
    updateTime: timestampFromDate(v.updateTime),
    stageUpdateTime: timestampFromDate(v.stageUpdateTime),
    etag: etagOf(v.revision),
  });
}

const transitionKinds: Record<string, ModelTransitionKind> = {
  stage_change: ModelTransitionKind.STAGE_CHANGE,
  alias_set: ModelTransitionKind.ALIAS_SET,
  alias_removed: ModelTransitionKind.ALIAS_REMOVED,
};

export function toTransitionProto(t: ModelTransitionEntity): ModelTransition {
  const modelId = (t.model as unknown as { id: string }).id;
  return create(ModelTransitionSchema, {
    name: `models/${modelId}/transitions/${t.id}`,
    kind: transitionKinds[t.kind] ?? ModelTransitionKind.UNSPECIFIED,
    modelVersion: versionName(modelId, t.versionNumber),
    fromStage: t.fromStage ? stageToProto[t.fromStage as Stage] : ModelVersionStage.UNSPECIFIED,
    toStage: t.toStage ? stageToProto[t.toStage as Stage] : ModelVersionStage.UNSPECIFIED,
    alias: t.alias,
    previousModelVersion: t.previousVersionNumber == null ? "" : versionName(modelId, t.previousVersionNumber),
    actor: t.actor,
    reason: t.reason,
    createTime: timestampFromDate(t.createTime),
  });
}
