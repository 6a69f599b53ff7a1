import { create, toBinary } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  CreateModelRequestSchema,
  CreateModelResponseSchema,
  CreateModelVersionRequestSchema,
  CreateModelVersionResponseSchema,
  MetricGoal,
  RegistryService,
  UploadModelVersionMetadataSchema,
  UploadModelVersionResponseSchema,
  type DownloadModelVersionArtifactResponse,
  type UploadModelVersionMetadata,
  type UploadModelVersionRequest,
} from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { ArtifactFormat as ArtifactFormatProto } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import type { EntityManager } from "@mikro-orm/core";
import type { ModelEntity, ModelVersionEntity } from "./model.entity.js";
import {
  createModel,
  createModelVersion,
  deleteAlias,
  deleteModel,
  deleteModelVersion,
  getBestVersion,
  getModel,
  getModelVersion,
  listModels,
  listModelVersions,
  listTransitions,
  loadModelFacts,
  loadVersionAliases,
  notifyAfterCommit,
  resolveVersion,
  setAlias,
  transitionStage,
  updateModel,
  updateModelVersion,
  type ArtifactInput,
  type RegistryDeps,
  type VersionInput,
  type VersionSelector,
} from "./model.use-cases.js";
import {
  formatFromProto,
  parseModelName,
  parseVersionName,
  stageFromProto,
  toModelProto,
  toModelVersionProto,
  toTransitionProto,
} from "./model.mapper.js";
import { readOnnxSignature } from "./onnx-signature.js";
import { artifactTooLarge, modelVersionNotFound, noArtifact } from "./registry.errors.js";
import { useCaseContext, type UseCaseContext } from "../platform/context.js";
import { AppError, invalidField } from "../platform/errors/app-error.js";
import { runIdempotent } from "../platform/idempotency/idempotency.js";
import { resolveUpdateMask } from "../platform/update-mask.js";

export interface RegistryHandlerDeps extends RegistryDeps {
  /** Largest artifact accepted by UploadModelVersion, in bytes. */
  readonly maxArtifactBytes: number;
}

const DEFAULT_CHUNK = 1024 * 1024;

async function modelProto(em: EntityManager, model: ModelEntity) {
  return toModelProto(model, await loadModelFacts(em, [model.id]));
}

async function versionProtos(em: EntityManager, versions: readonly ModelVersionEntity[]) {
  const aliases = await loadVersionAliases(em, versions.map((v) => (v.model as unknown as { id: string }).id));
  return versions.map((v) => toModelVersionProto(v, aliases));
}

async function versionProto(em: EntityManager, version: ModelVersionEntity) {
  return (await versionProtos(em, [version]))[0]!;
}

function versionInput(v: { description: string; labels: Record<string, string>; metrics: Record<string, number>; params: Record<string, string>; sourceTrainingJob: string } | undefined): VersionInput {
  return {
    description: v?.description ?? "",
    labels: v?.labels ?? {},
    metrics: v?.metrics ?? {},
    params: v?.params ?? {},
    sourceTrainingJob: v?.sourceTrainingJob ?? "",
  };
}

/** `artenic.registry.v1.RegistryService`: models, versions, artifacts, stages, aliases and history. */
export function createRegistryServiceHandler(deps: RegistryHandlerDeps): ServiceImpl<typeof RegistryService> {
  return {
    async createModel(req, ctx) {
      const uc = useCaseContext(ctx);
      const m = req.model!;
      return runIdempotent(
        uc.em,
        { scope: `${uc.actor.name}/CreateModel`, requestId: req.requestId, request: toBinary(CreateModelRequestSchema, req) },
        CreateModelResponseSchema,
        async (em) => {
          const model = await createModel({ ...uc, em }, req.modelId, {
            displayName: m.displayName,
            description: m.description,
            framework: m.framework,
            labels: m.labels,
          });
          await em.flush();
          return create(CreateModelResponseSchema, { model: await modelProto(em, model) });
        },
      );
    },

    async getModel(req, ctx) {
      const { em } = useCaseContext(ctx);
      return { model: await modelProto(em, await getModel(em, parseModelName(req.name, "name"))) };
    },

    async listModels(req, ctx) {
      const uc = useCaseContext(ctx);
      const page = await listModels(uc, req);
      const facts = await loadModelFacts(uc.em, page.items.map((m) => m.id));
      return { models: page.items.map((m) => toModelProto(m, facts)), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) };
    },

    async updateModel(req, ctx) {
      const uc = useCaseContext(ctx);
      const m = req.model!;
      const id = parseModelName(m.name, "model.name");
      const paths = resolveUpdateMask(req.updateMask?.paths, ["display_name", "description", "framework", "labels"], (p) =>
        p === "labels" ? Object.keys(m.labels).length > 0 : (m as unknown as Record<string, string>)[camel(p)] !== "",
      );
      const model = await updateModel(
        uc,
        id,
        {
          ...(paths.has("display_name") ? { displayName: m.displayName } : {}),
          ...(paths.has("description") ? { description: m.description } : {}),
          ...(paths.has("framework") ? { framework: m.framework } : {}),
          ...(paths.has("labels") ? { labels: m.labels } : {}),
        },
        m.etag,
      );
      return { model: await modelProto(uc.em, model) };
    },

    async deleteModel(req, ctx) {
      await deleteModel(useCaseContext(ctx), deps, parseModelName(req.name, "name"), req.force, req.etag);
      return {};
    },

    async createModelVersion(req, ctx) {
      const uc = useCaseContext(ctx);
      const modelId = parseModelName(req.parent, "parent");
      return runIdempotent(
        uc.em,
        { scope: `${uc.actor.name}/CreateModelVersion`, requestId: req.requestId, request: toBinary(CreateModelVersionRequestSchema, req) },
        CreateModelVersionResponseSchema,
        async (em) => {
          const artifact: ArtifactInput | undefined =
            req.artifactUri === ""
              ? undefined
              : {
                  uri: req.artifactUri,
                  format: formatFromProto(req.artifactFormat),
                  sizeBytes: 0,
                  sha256: "",
                  contentType: "",
                  external: true,
                  signature: null,
                };
          const version = await createModelVersion({ ...uc, em }, modelId, versionInput(req.modelVersion), artifact);
          await em.flush();
          return create(CreateModelVersionResponseSchema, { modelVersion: await versionProto(em, version) });
        },
      );
    },

    async uploadModelVersion(requests, ctx) {
      return uploadModelVersion(deps, requests, ctx);
    },

    async *downloadModelVersionArtifact(req, ctx): AsyncGenerator<DownloadModelVersionArtifactResponse> {
      const { em } = useCaseContext(ctx);
      const { modelId, number } = parseVersionName(req.name, "name");
      const version = await getModelVersion(em, modelId, number);
      if (version.artifactUri === "" || version.artifactExternal || !deps.store.owns(version.artifactUri)) throw noArtifact(req.name);
      yield {
        $typeName: "artenic.registry.v1.DownloadModelVersionArtifactResponse",
        content: {
          case: "metadata",
          value: {
            $typeName: "artenic.registry.v1.ArtifactMetadata",
            sizeBytes: BigInt(version.artifactSizeBytes),
            sha256: version.artifactSha256,
            contentType: version.artifactContentType,
            format: version.artifactFormat === "onnx" ? ArtifactFormatProto.ONNX : ArtifactFormatProto.OTHER,
          },
        },
      };
      for await (const chunk of deps.store.read(version.artifactUri, req.chunkSize || DEFAULT_CHUNK, ctx.signal)) {
        yield { $typeName: "artenic.registry.v1.DownloadModelVersionArtifactResponse", content: { case: "chunk", value: chunk } };
      }
    },

    async getModelVersion(req, ctx) {
      const { em } = useCaseContext(ctx);
      const { modelId, number } = parseVersionName(req.name, "name");
      return { modelVersion: await versionProto(em, await getModelVersion(em, modelId, number)) };
    },

    async listModelVersions(req, ctx) {
      const uc = useCaseContext(ctx);
      const modelId = parseModelName(req.parent, "parent", true);
      if (modelId !== "-") await getModel(uc.em, modelId);
      const page = await listModelVersions(uc, modelId, req);
      return { modelVersions: await versionProtos(uc.em, page.items), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) };
    },

    async updateModelVersion(req, ctx) {
      const uc = useCaseContext(ctx);
      const v = req.modelVersion!;
      const { modelId, number } = parseVersionName(v.name, "model_version.name");
      const paths = resolveUpdateMask(req.updateMask?.paths, ["description", "labels", "metrics", "params"], (p) =>
        p === "description" ? v.description !== "" : Object.keys((v as unknown as Record<string, object>)[p]!).length > 0,
      );
      const version = await updateModelVersion(
        uc,
        modelId,
        number,
        {
          ...(paths.has("description") ? { description: v.description } : {}),
          ...(paths.has("labels") ? { labels: v.labels } : {}),
          ...(paths.has("metrics") ? { metrics: v.metrics } : {}),
          ...(paths.has("params") ? { params: v.params } : {}),
        },
        v.etag,
      );
      return { modelVersion: await versionProto(uc.em, version) };
    },

    async deleteModelVersion(req, ctx) {
      const { modelId, number } = parseVersionName(req.name, "name");
      await deleteModelVersion(useCaseContext(ctx), deps, modelId, number, req.etag);
      return {};
    },

    async transitionModelVersionStage(req, ctx) {
      const uc = useCaseContext(ctx);
      const { modelId, number } = parseVersionName(req.name, "name");
      const change = await transitionStage(uc, modelId, number, stageFromProto(req.stage, "stage"), req.reason, req.keepExistingProduction, req.etag, deps.listeners);
      notifyAfterCommit(deps.listeners, modelId);
      const [version, ...archived] = await versionProtos(uc.em, [change.version, ...change.archived]);
      return { modelVersion: version, transition: toTransitionProto(change.transition), archivedModelVersions: archived };
    },

    async setModelAlias(req, ctx) {
      const uc = useCaseContext(ctx);
      const modelId = parseModelName(req.name, "name");
      const target = parseVersionName(req.modelVersion, "model_version");
      if (target.modelId !== modelId) throw invalidField("model_version", `must be a version of ${req.name}`);
      const { model, transition } = await setAlias(uc, modelId, req.alias, target.number, req.reason, deps.listeners);
      notifyAfterCommit(deps.listeners, modelId);
      return { model: await modelProto(uc.em, model), transition: transition ? toTransitionProto(transition) : undefined };
    },

    async deleteModelAlias(req, ctx) {
      const uc = useCaseContext(ctx);
      const modelId = parseModelName(req.name, "name");
      const { model, transition } = await deleteAlias(uc, modelId, req.alias, req.reason, deps.listeners);
      notifyAfterCommit(deps.listeners, modelId);
      return { model: await modelProto(uc.em, model), transition: toTransitionProto(transition) };
    },

    async resolveModelVersion(req, ctx) {
      const { em } = useCaseContext(ctx);
      const modelId = parseModelName(req.name, "name");
      const s = req.selector;
      let selector: VersionSelector;
      switch (s.case) {
        case "alias":
          selector = { kind: "alias", alias: s.value };
          break;
        case "stage":
          selector = { kind: "stage", stage: stageFromProto(s.value, "stage") };
          break;
        case "latest":
          selector = { kind: "latest" };
          break;
        case "versionNumber":
          selector = { kind: "number", number: Number(s.value) };
          break;
        default:
          throw invalidField("selector", "one of alias, stage, latest or version_number is required");
      }
      return { modelVersion: await versionProto(em, await resolveVersion(em, modelId, selector)) };
    },

    async getBestModelVersion(req, ctx) {
      const uc = useCaseContext(ctx);
      const version = await getBestVersion(uc, parseModelName(req.parent, "parent"), req.metric, req.goal !== MetricGoal.MINIMIZE, req.filter);
      return { modelVersion: await versionProto(uc.em, version) };
    },

    async listModelTransitions(req, ctx) {
      const page = await listTransitions(useCaseContext(ctx), parseModelName(req.parent, "parent"), { ...req, orderBy: "" });
      return { transitions: page.items.map(toTransitionProto), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) };
    },
  };
}

function camel(path: string): string {
  return path.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Client-streamed upload: metadata first, then chunks staged to storage while hashing; the version
 * row is written only after the bytes are complete, checksummed and (for ONNX) readable, so a broken
 * upload leaves nothing behind.
 */
async function uploadModelVersion(deps: RegistryHandlerDeps, requests: AsyncIterable<UploadModelVersionRequest>, ctx: HandlerContext) {
  const uc: UseCaseContext = useCaseContext(ctx);
  const iterator = requests[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done || first.value.content.case !== "metadata") {
    throw invalidField("metadata", "the first message of an upload must carry the metadata");
  }
  const meta: UploadModelVersionMetadata = first.value.content.value;
  const modelId = parseModelName(meta.parent, "metadata.parent");
  await getModel(uc.em, modelId);
  if (meta.expectedSizeBytes > BigInt(deps.maxArtifactBytes)) throw artifactTooLarge(deps.maxArtifactBytes);

  const staged = await deps.store.begin();
  let committedUri: string | undefined;
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const content = next.value.content;
      if (content.case !== "chunk") throw invalidField("metadata", "must be sent once, in the first message");
      if (staged.size + content.value.length > deps.maxArtifactBytes) throw artifactTooLarge(deps.maxArtifactBytes);
      await staged.write(content.value);
    }
    if (ctx.signal.aborted) throw new AppError("aborted", "UPLOAD_CANCELLED", "The upload was cancelled by the client.");
    const sha256 = staged.sha256();
    if (meta.expectedSha256 !== "" && meta.expectedSha256 !== sha256) {
      throw invalidField("metadata.expected_sha256", `does not match the uploaded bytes (got ${sha256})`, "CHECKSUM_MISMATCH");
    }
    if (meta.expectedSizeBytes > 0n && meta.expectedSizeBytes !== BigInt(staged.size)) {
      throw invalidField("metadata.expected_size_bytes", `is ${meta.expectedSizeBytes} but ${staged.size} bytes arrived`, "SIZE_MISMATCH");
    }
    if (staged.size === 0) throw invalidField("chunk", "no artifact bytes were sent", "EMPTY_ARTIFACT");
    const format = formatFromProto(meta.format);
    const signature = format === "onnx" ? readOnnxSignature(await staged.readAll()) : null;
    // The replay key covers the metadata and the bytes: the same request id with other bytes is refused.
    const request = new Uint8Array([...toBinary(UploadModelVersionMetadataSchema, meta), ...Buffer.from(sha256, "hex")]);
    const size = staged.size;
    return await runIdempotent(
      uc.em,
      { scope: `${uc.actor.name}/UploadModelVersion`, requestId: meta.requestId, request },
      UploadModelVersionResponseSchema,
      async (em) => {
        committedUri ??= await staged.commit(`${modelId}/${sha256}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`);
        const version = await createModelVersion({ ...uc, em }, modelId, versionInput(meta.modelVersion), {
          uri: committedUri,
          format,
          sizeBytes: size,
          sha256,
          contentType: meta.contentType || "application/octet-stream",
          external: false,
          signature,
        });
        await em.flush();
        return create(UploadModelVersionResponseSchema, { modelVersion: await versionProto(em, version) });
      },
    ).then(async (response) => {
      // A replayed response points at the first upload's artifact; this upload's copy is surplus.
      const kept = response.modelVersion?.name;
      if (committedUri && kept && (await isSurplus(uc.em, kept, committedUri))) await deps.store.delete(committedUri);
      return response;
    });
  } catch (e) {
    if (committedUri) await deps.store.delete(committedUri).catch(() => undefined);
    throw e;
  } finally {
    if (!committedUri) await staged.abort().catch(() => undefined);
  }
}

async function isSurplus(em: EntityManager, versionName: string, uri: string): Promise<boolean> {
  const { modelId, number } = parseVersionName(versionName, "name");
  try {
    const v = await getModelVersion(em.fork(), modelId, number);
    return v.artifactUri !== uri;
  } catch (e) {
    if (e instanceof AppError && e.reason === modelVersionNotFound("").reason) return true;
    throw e;
  }
}
