import { create, toBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  AdminService,
  CreateApiKeyRequestSchema,
  CreateApiKeyResponseSchema,
  ListApiKeysResponseSchema,
} from "@artenic/gen/artenic/admin/v1/admin_service_pb";
import type { CachingVerifier } from "./api-key.verifier.js";
import { createApiKey, deleteApiKey, getApiKey, listApiKeys, revokeApiKey, updateApiKey, type ApiKeyChanges } from "./api-key.use-cases.js";
import { parseApiKeyName, scopeFromProto, toApiKeyProto } from "./api-key.mapper.js";
import { useCaseContext } from "../platform/context.js";
import { runIdempotent } from "../platform/idempotency/idempotency.js";
import { resolveUpdateMask } from "../platform/update-mask.js";

export interface AdminHandlerDeps {
  readonly apiKeyHashKey: Buffer;
  /** Seals the replayable CreateApiKey response, which holds the new secret. */
  readonly secretsKey: Buffer;
  readonly verifier: CachingVerifier;
}

/** `artenic.admin.v1.AdminService`: API keys, managed without a restart. */
export function createAdminServiceHandler(deps: AdminHandlerDeps): Partial<ServiceImpl<typeof AdminService>> {
  return {
    async createApiKey(req, ctx) {
      const uc = useCaseContext(ctx);
      const key = req.apiKey!;
      return runIdempotent(
        uc.em,
        { scope: `${uc.actor.name}/CreateApiKey`, requestId: req.requestId, request: toBinary(CreateApiKeyRequestSchema, req), sealKey: deps.secretsKey },
        CreateApiKeyResponseSchema,
        async (em) => {
          const { key: created, secret } = await createApiKey({ ...uc, em }, deps.apiKeyHashKey, {
            displayName: key.displayName,
            scopes: key.scopes.map(scopeFromProto),
            rateLimit: key.rateLimit && key.rateLimit.requestsPerSecond > 0 ? { requestsPerSecond: key.rateLimit.requestsPerSecond, burst: key.rateLimit.burst } : undefined,
            expireTime: key.expireTime ? timestampDate(key.expireTime) : undefined,
            labels: key.labels,
          });
          return create(CreateApiKeyResponseSchema, { apiKey: toApiKeyProto(created), secret });
        },
      );
    },
    async getApiKey(req, ctx) {
      return { apiKey: toApiKeyProto(await getApiKey(useCaseContext(ctx), parseApiKeyName(req.name))) };
    },
    async listApiKeys(req, ctx) {
      const page = await listApiKeys(useCaseContext(ctx), req);
      return create(ListApiKeysResponseSchema, {
        apiKeys: page.items.map(toApiKeyProto),
        nextPageToken: page.nextPageToken,
        totalSize: BigInt(page.totalSize),
      });
    },
    async updateApiKey(req, ctx) {
      const key = req.apiKey!;
      const id = parseApiKeyName(key.name, "api_key.name");
      const paths = resolveUpdateMask(req.updateMask?.paths, ["display_name", "labels", "rate_limit", "expire_time"], (p) => {
        switch (p) {
          case "display_name":
            return key.displayName !== "";
          case "labels":
            return Object.keys(key.labels).length > 0;
          case "rate_limit":
            return key.rateLimit !== undefined;
          default:
            return key.expireTime !== undefined;
        }
      });
      const changes: { -readonly [K in keyof ApiKeyChanges]: ApiKeyChanges[K] } = {};
      if (paths.has("display_name")) changes.displayName = key.displayName;
      if (paths.has("labels")) changes.labels = key.labels;
      if (paths.has("rate_limit")) {
        changes.rateLimit = key.rateLimit && key.rateLimit.requestsPerSecond > 0 ? { requestsPerSecond: key.rateLimit.requestsPerSecond, burst: key.rateLimit.burst } : undefined;
      }
      if (paths.has("expire_time")) changes.expireTime = key.expireTime ? timestampDate(key.expireTime) : undefined;
      const updated = await updateApiKey(useCaseContext(ctx), id, changes, key.etag);
      deps.verifier.invalidate();
      return { apiKey: toApiKeyProto(updated) };
    },
    async revokeApiKey(req, ctx) {
      const key = await revokeApiKey(useCaseContext(ctx), parseApiKeyName(req.name));
      deps.verifier.invalidate();
      return { apiKey: toApiKeyProto(key) };
    },
    async deleteApiKey(req, ctx) {
      await deleteApiKey(useCaseContext(ctx), parseApiKeyName(req.name), req.etag);
      deps.verifier.invalidate();
      return {};
    },
  };
}

