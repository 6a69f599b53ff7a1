import { fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { createHash } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { AppError } from "../errors/app-error.js";
import { IdempotencyRecordEntity } from "./idempotency-record.entity.js";

export interface IdempotencyKey {
  /** Who and what: `<apiKeys/...>/<Service.Method>`; the same request id from another key is another request. */
  readonly scope: string;
  /** The caller's `request_id`; empty disables replay. */
  readonly requestId: string;
  /** The request message that carried it, to refuse a reused id on a different request. */
  readonly request: Uint8Array;
}

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
    return fromBinary(schema, Buffer.from(found.response, "base64"));
  };
  const earlier = await replay();
  if (earlier) return earlier;
  try {
    return await em.transactional(async (tx) => {
      const response = await work(tx);
      tx.create(IdempotencyRecordEntity, {
        scope: key.scope,
        requestId: key.requestId,
        requestHash,
        response: Buffer.from(toBinary(schema, response)).toString("base64"),
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
