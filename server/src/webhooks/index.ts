// The webhooks capability's public surface: the budget domain's handler and the wiring use only this.
import type { Logger } from "pino";
import type { Config } from "../platform/config/config.js";
import type { Orm } from "../platform/db/orm.js";
import { WebhookDeliveryWorker } from "./delivery-worker.js";
import { createWebhookHandler } from "./webhook.handler.js";
import { installOutboxCommitHooks } from "../events/index.js";

export { createWebhookHandler, type WebhookHandlerDeps } from "./webhook.handler.js";
export { WebhookDeliveryWorker, type DeliveryWorkerOptions } from "./delivery-worker.js";
export { signatureHeader, signPayload, verifySignature, generateWebhookSecret } from "./webhook-signature.js";
export { backoffCapMs, backoffDelayMs, type BackoffPolicy } from "./backoff.js";

/** Webhook RPCs and the background delivery worker of one server process. */
export interface WebhooksModule {
  readonly handler: ReturnType<typeof createWebhookHandler>;
  readonly worker: { start(): void; stop(): Promise<void>; wake(): void };
}

/** Builds the webhook handler and its delivery worker from configuration; start the worker after serving. */
export function createWebhooksModule(deps: { readonly config: Config; readonly orm: Orm; readonly secretsKey: Buffer; readonly logger: Logger }): WebhooksModule {
  const { config, orm, secretsKey, logger } = deps;
  const w = config.webhooks;
  const worker = new WebhookDeliveryWorker({
    em: () => orm.em.fork(),
    logger,
    secretsKey,
    timeoutMs: w.timeoutMs,
    backoff: { baseMs: w.backoffBaseMs, maxMs: w.backoffMaxMs },
    maxAttempts: w.maxAttempts,
    pollMs: w.pollMs,
    concurrency: w.concurrency,
    retentionMs: w.retentionDays * 24 * 3600 * 1000,
    allowPrivateDestinations: w.allowPrivateDestinations,
  });
  const handler = createWebhookHandler({
    secretsKey,
    allowPrivateDestinations: w.allowPrivateDestinations,
    timeoutMs: w.timeoutMs,
    onDeliveriesQueued: () => worker.wake(),
  });
  // On SQLite commits are seen in-process: new events are fanned out at once instead of at the next
  // poll. (On PostgreSQL another process may commit them; the poll finds them.)
  let unsubscribe: (() => void) | undefined;
  return {
    handler,
    worker: {
      start() {
        if (config.database.kind === "sqlite") unsubscribe ??= installOutboxCommitHooks(orm).onCommit(() => worker.wake());
        worker.start();
      },
      async stop() {
        unsubscribe?.();
        unsubscribe = undefined;
        await worker.stop();
      },
      wake: () => worker.wake(),
    },
  };
}
