import { fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { createHash } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { AppError } from "../errors/app-error.js";
import { decryptSecret, encryptSecret } from "../crypto/master-key.js";
import { IdempotencyRecordEntity } from "./idempotency-record.entity.js";

export interface IdempotencyKey {
  /** Who and what: `<apiKeys/...>/<Service.Method>`; the same request id from another key is another request. */
  readonly scope: string;
  /** The caller's `request_id`; empty disables replay. */
  readonly requestId: string;
  /** The request message that carried it, to refuse a reused id on a different request. */
  readonly request: Uint8Array;
  /**
   * When the response holds a secret (a new API key, a webhook secret), the stored copy is sealed
   * with AES-256-GCM under this key, so the replay table never keeps a secret in clear.
   */
  readonly sealKey?: Buffer;
}

/** How long a request id is remembered; a retry after this window runs again. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Runs `work` in one transaction and stores its response under the request id in that same
 * transaction, so a retry replays the first response instead of repeating the change (AIP-155).
 * Two concurrent first attempts race on a unique key: the loser's transaction rolls back and it
 * replays the winner's response.
 */
export async function runIdempotent<S extends DescMessage>(
  em: EntityManager,
  key: IdempotencyKey,
  schema: S,
  work: (tx: EntityManager) => Promise<MessageShape<S>>,
  now: () => Date = () => new Date(),
): Promise<MessageShape<S>> {
  if (key.requestId === "") return em.transactional(work);
  const requestHash = createHash("sha256").update(key.request).digest("hex");
  const replay = async (): Promise<MessageShape<S> | undefined> => {
    const found = await em.fork().findOne(IdempotencyRecordEntity, { scope: key.scope, requestId: key.requestId });
    if (!found) return undefined;
    if (found.requestHash !== requestHash) {
      throw new AppError("invalid_argument", "REQUEST_ID_REUSED", `request_id ${key.requestId} was already used for a different request.`, {
        field: "request_id",
      }, { fieldViolations: [{ field: "request_id", description: "was already used for a different request" }] });
    }
    const stored = key.sealKey ? decryptSecret(key.sealKey, found.response, key.scope) : found.response;
    return fromBinary(schema, Buffer.from(stored, "base64"));
  };
  const earlier = await replay();
  if (earlier) return earlier;
  try {
    return await em.transactional(async (tx) => {
      const response = await work(tx);
      const encoded = Buffer.from(toBinary(schema, response)).toString("base64");
      tx.create(IdempotencyRecordEntity, {
        scope: key.scope,
        requestId: key.requestId,
        requestHash,
        response: key.sealKey ? encryptSecret(key.sealKey, encoded, key.scope) : encoded,
        createTime: now(),
      });
      return response;
    });
  } catch (e) {
    const winner = await replay().catch(() => undefined);
    if (winner) return winner;
    throw e;
  }
}

/** Forgets request ids older than the idempotency window; run periodically. Returns how many. */
export async function pruneIdempotencyRecords(em: EntityManager, now: Date): Promise<number> {
  return em.nativeDelete(IdempotencyRecordEntity, { createTime: { $lt: new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS) } });
}
