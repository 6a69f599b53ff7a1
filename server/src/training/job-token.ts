import { createHmac, randomBytes } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { hashApiKeySecret, hashesEqual } from "../platform/auth/api-key-secret.js";
import type { ApiKeyVerifier, Principal } from "../platform/auth/principal.js";
import { TrainingJobEntity, TrainingJobTokenEntity } from "./training-job.entity.js";
import { isTerminal, jobName } from "./job-state.js";

/** Every job token starts with this; API keys never contain a dot, so the two cannot be confused. */
export const JOB_TOKEN_PREFIX = "artenic-job.";

/** How long after its job ended a token may still append logs (AppendTrainingLogs' grace minute). */
export const JOB_TOKEN_GRACE_MS = 60_000;

function tokenFor(hashKey: Buffer, jobId: string, salt: string): string {
  // A key of its own for deriving tokens, separate from the one that hashes them for storage.
  const derivation = createHmac("sha256", hashKey).update("artenic job token v1").digest();
  return `${JOB_TOKEN_PREFIX}${jobId}.${createHmac("sha256", derivation).update(`${jobId}\u0000${salt}`).digest("base64url")}`;
}

/**
 * Returns the job's token, creating its stored hash on first use. The secret is derived from the
 * server key and a stored salt, so a dispatch repeated after a crash hands the job the same token
 * the first one did; only the keyed hash is stored.
 */
export async function ensureJobToken(em: EntityManager, hashKey: Buffer, jobId: string, now: Date): Promise<string> {
  const existing = await em.findOne(TrainingJobTokenEntity, { job: jobId });
  if (existing) return tokenFor(hashKey, jobId, existing.salt);
  const salt = randomBytes(24).toString("hex");
  const token = tokenFor(hashKey, jobId, salt);
  em.create(TrainingJobTokenEntity, { job: jobId, salt, tokenHash: hashApiKeySecret(hashKey, token), createTime: now });
  await em.flush();
  return token;
}

/**
 * Verifies job tokens: a token is valid while its job has not ended, and for a grace minute after
 * (so the last log lines can still be sent). The principal it yields names the job; the auth gate
 * lets it call only the job-facing methods, and the handlers only on that job.
 */
export function createJobTokenVerifier(
  em: () => EntityManager,
  hashKey: Buffer,
  options: { ttlMs?: number; now?: () => number } = {},
): ApiKeyVerifier & { invalidate(): void } {
  const ttlMs = options.ttlMs ?? 2000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { principal: Principal | undefined; expires: number }>();
  return {
    async verify(token) {
      if (!token.startsWith(JOB_TOKEN_PREFIX) || token.length > 256) return undefined;
      const hash = hashApiKeySecret(hashKey, token);
      const at = now();
      const cached = cache.get(hash);
      if (cached && cached.expires > at) return cached.principal;
      const fork = em();
      const row = await fork.findOne(TrainingJobTokenEntity, { tokenHash: hash });
      let principal: Principal | undefined;
      if (row && hashesEqual(row.tokenHash, hash)) {
        const job = await fork.findOne(TrainingJobEntity, { id: row.job }, { fields: ["id", "state", "endTime"] as never });
        const live = job && (!isTerminal(job.state) || (job.endTime !== null && job.endTime !== undefined && job.endTime.getTime() + JOB_TOKEN_GRACE_MS > at));
        if (live) principal = { keyName: jobName(row.job), keyId: `job:${row.job}`, scopes: new Set(["write"]), rateLimit: undefined, job: jobName(row.job) };
      }
      if (cache.size >= 10_000) cache.clear();
      cache.set(hash, { principal, expires: at + ttlMs });
      return principal;
    },
    invalidate() {
      cache.clear();
    },
  };
}

/** Tries job tokens first when the bearer looks like one, else (or when it is not one) API keys. */
export function composeVerifiers(jobTokens: ApiKeyVerifier, apiKeys: ApiKeyVerifier): ApiKeyVerifier {
  return {
    verify(token) {
      if (!token.startsWith(JOB_TOKEN_PREFIX)) return apiKeys.verify(token);
      const orApiKey = (principal: Principal | undefined) => principal ?? apiKeys.verify(token);
      const job = jobTokens.verify(token);
      return job instanceof Promise ? job.then(orApiKey) : orApiKey(job);
    },
  };
}
