import { defineEntity, p } from "@mikro-orm/core";

/** A registered model. Its id is the last segment of `models/{model}` and never changes. */
export const ModelEntitySchema = defineEntity({
  name: "Model",
  tableName: "model",
  properties: {
    id: p.string().length(63).primary(),
    displayName: p.string().length(256),
    description: p.text(),
    framework: p.string().length(64),
    labels: p.json<Record<string, string>>(),
    /** Numbers are never reused, even after a version is deleted. */
    nextVersionNumber: p.integer(),
    createTime: p.datetime().index(),
    updateTime: p.datetime(),
    /** Optimistic lock, exposed as `etag`. */
    revision: p.integer().version(),
  },
});
export class ModelEntity extends ModelEntitySchema.class {}
ModelEntitySchema.setClass(ModelEntity);

/** An immutable, auto-numbered version of a model: `models/{model}/versions/{number}`. */
export const ModelVersionEntitySchema = defineEntity({
  name: "ModelVersion",
  tableName: "model_version",
  properties: {
    id: p.integer().primary().autoincrement(),
    model: () => p.manyToOne(ModelEntity).deleteRule("cascade"),
    number: p.integer(),
    description: p.text(),
    labels: p.json<Record<string, string>>(),
    stage: p.string().length(16),
    metrics: p.json<Record<string, number>>(),
    params: p.json<Record<string, string>>(),
    artifactUri: p.string().length(2048),
    artifactFormat: p.string().length(16),
    artifactSizeBytes: p.double().runtimeType("number").$type<number>(),
    artifactSha256: p.string().length(64),
    artifactContentType: p.string().length(128),
    /** The artifact lives outside the platform (`artifact_uri` given at creation); never fetched. */
    artifactExternal: p.boolean(),
    /** The signature read from the ONNX file, as `readOnnxSignature` returns it; null for other formats. */
    signature: p.json<unknown>().nullable(),
    sourceTrainingJob: p.string().length(256),
    creator: p.string().length(256),
    createTime: p.datetime(),
    updateTime: p.datetime(),
    stageUpdateTime: p.datetime(),
    revision: p.integer().version(),
  },
  uniques: [{ properties: ["model", "number"] }],
  indexes: [{ properties: ["model", "stage"] }, { properties: ["model", "createTime"] }],
});
export class ModelVersionEntity extends ModelVersionEntitySchema.class {}
ModelVersionEntitySchema.setClass(ModelVersionEntity);

/** A free-form alias (`champion`) pointing at one version; moved atomically by upsert. */
export const ModelAliasEntitySchema = defineEntity({
  name: "ModelAlias",
  tableName: "model_alias",
  properties: {
    id: p.integer().primary().autoincrement(),
    model: () => p.manyToOne(ModelEntity).deleteRule("cascade"),
    alias: p.string().length(63),
    versionNumber: p.integer(),
    updateTime: p.datetime(),
  },
  uniques: [{ properties: ["model", "alias"] }],
});
export class ModelAliasEntity extends ModelAliasEntitySchema.class {}
ModelAliasEntitySchema.setClass(ModelAliasEntity);

/** One line of a model's history: a stage change or an alias move, with who, when and why. */
export const ModelTransitionEntitySchema = defineEntity({
  name: "ModelTransition",
  tableName: "model_transition",
  properties: {
    id: p.integer().primary().autoincrement(),
    model: () => p.manyToOne(ModelEntity).deleteRule("cascade"),
    kind: p.string().length(16),
    versionNumber: p.integer(),
    fromStage: p.string().length(16),
    toStage: p.string().length(16),
    alias: p.string().length(63),
    previousVersionNumber: p.integer().nullable(),
    actor: p.string().length(256),
    reason: p.text(),
    createTime: p.datetime(),
  },
  indexes: [{ properties: ["model", "id"] }],
});
export class ModelTransitionEntity extends ModelTransitionEntitySchema.class {}
ModelTransitionEntitySchema.setClass(ModelTransitionEntity);
