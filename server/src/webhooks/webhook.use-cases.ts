import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import { WebhookDeliveryEntity, WebhookEntity } from "./webhook.entity.js";
import { deliveryNotFound, deliveryNotRetryable, destinationRefused, webhookAlreadyExists, webhookNotFound } from "./webhook.errors.js";
import { attemptDelivery, deliveryName, signingSecrets, webhookName } from "./delivery-attempt.js";
import { refusedDestination } from "./destination.js";
import { generateWebhookSecret } from "./webhook-signature.js";
import { testPayload } from "./webhook-event.js";
import { checkEtag, type UseCaseContext } from "../platform/context.js";
import { encryptSecret } from "../platform/crypto/master-key.js";
import { recordEvent } from "../platform/outbox/outbox.js";
import { listPage, type ListRequestLike, type ListSpec, type Page } from "../platform/query/list-query.js";

/** What the webhook use cases need from the server. */
export interface WebhookDeps {
  /** Seals secrets at rest (ServerKeys.secretsKey). */
  readonly secretsKey: Buffer;
  /** Whether URLs may point at loopback and private addresses. */
  readonly allowPrivateDestinations: boolean;
  /** How long a TestWebhook attempt may take. */
  readonly timeoutMs: number;
}

export interface WebhookInput {
  readonly displayName: string;
  readonly description: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly enabled: boolean;
}

export type WebhookChanges = Partial<WebhookInput>;

function checkUrl(deps: WebhookDeps, url: string | undefined): void {
  if (url === undefined) return;
  const why = refusedDestination(url, deps.allowPrivateDestinations);
  if (why) throw destinationRefused("webhook.url", why);
}

function eventData(w: WebhookEntity): Record<string, unknown> {
  // Never the secret, sealed or not.
  return { displayName: w.displayName, url: w.url, eventTypes: [...w.eventTypes], enabled: w.enabled };
}

/** The newest id of the event log: a webhook's high-water mark when it starts listening. */
async function newestEventId(em: EntityManager): Promise<number> {
  const rows = await em.getConnection().execute<{ newest: number | string | null }[]>("select max(id) as newest from outbox_event", [], "all", em.getTransactionContext());
  return Number(rows[0]?.newest ?? 0);
}

/**
 * Moves a webhook's high-water mark. Raw SQL on purpose: the ORM's update would also bump the
 * optimistic-lock revision, and the mark is not a settings change (the etag must stay).
 */
export async function moveCursor(em: EntityManager, id: string, cursor: number): Promise<void> {
  await em.getConnection().execute('update webhook set "cursor" = ? where id = ?', [cursor, id], "run", em.getTransactionContext());
}

/** Locks a webhook's row for the transaction (a no-op write), so the delivery worker's fan-out waits. */
async function lockWebhook(em: EntityManager, id: string): Promise<WebhookEntity> {
  await em.getConnection().execute("update webhook set revision = revision where id = ?", [id], "run", em.getTransactionContext());
  const webhook = await em.findOne(WebhookEntity, { id }, { refresh: true });
  if (!webhook) throw webhookNotFound(webhookName(id));
  return webhook;
}

/** Registers a webhook; returns it with its secret (given or generated), which is never shown again. */
export async function createWebhook(ctx: UseCaseContext, deps: WebhookDeps, id: string, input: WebhookInput, secret: string): Promise<{ webhook: WebhookEntity; secret: string }> {
  checkUrl(deps, input.url);
  const chosen = secret === "" ? generateWebhookSecret() : secret;
  return ctx.em.transactional(async (em) => {
    if (await em.count(WebhookEntity, { id })) throw webhookAlreadyExists(webhookName(id));
    const now = ctx.now();
    const webhook = em.create(WebhookEntity, {
      id,
      displayName: input.displayName,
      description: input.description,
      labels: { ...input.labels },
      url: input.url,
      eventTypes: [...input.eventTypes],
      secretSealed: encryptSecret(deps.secretsKey, chosen, webhookName(id)),
      previousSecretSealed: "",
      previousSecretExpireTime: null,
      secretUpdateTime: now,
      enabled: input.enabled,
      cursor: 0,
      createTime: now,
      updateTime: now,
    });
    const created = recordEvent(em, ctx.actor, { topic: "budget", type: "budget.webhook.created", resource: webhookName(id), data: eventData(webhook) }, now);
    await em.flush();
    // The webhook receives events committed after its own creation. Event ids follow commit order
    // (outbox-commit-hooks.ts), so every id below this event's belongs to an earlier commit.
    await moveCursor(em, id, Math.max(created.id, await newestEventId(em)));
    return { webhook, secret: chosen };
  });
}

export async function findWebhook(em: EntityManager, id: string): Promise<WebhookEntity> {
  const webhook = await em.findOne(WebhookEntity, { id });
  if (!webhook) throw webhookNotFound(webhookName(id));
  return webhook;
}

const webhookListSpec: ListSpec = {
  fields: {
    enabled: { prop: "enabled", type: "bool" },
    url: { prop: "url", type: "string" },
    create_time: { prop: "createTime", type: "timestamp" },
    update_time: { prop: "updateTime", type: "timestamp" },
    display_name: { prop: "displayName", type: "string" },
  },
  maps: { labels: { prop: "labels", type: "string" } },
  defaultOrder: "create_time desc",
  idProp: "id",
};

export function listWebhooks(ctx: UseCaseContext, request: ListRequestLike): Promise<Page<WebhookEntity>> {
  return listPage(ctx.em, WebhookEntity, webhookListSpec, request);
}

export async function updateWebhook(ctx: UseCaseContext, deps: WebhookDeps, id: string, changes: WebhookChanges, etag: string): Promise<WebhookEntity> {
  checkUrl(deps, changes.url);
  return ctx.em.transactional(async (em) => {
    const webhook = await lockWebhook(em, id);
    checkEtag(etag, webhook.revision, webhookName(id));
    const now = ctx.now();
    const reEnabled = changes.enabled === true && !webhook.enabled;
    if (changes.displayName !== undefined) webhook.displayName = changes.displayName;
    if (changes.description !== undefined) webhook.description = changes.description;
    if (changes.labels !== undefined) webhook.labels = { ...changes.labels };
    if (changes.url !== undefined) webhook.url = changes.url;
    if (changes.eventTypes !== undefined) webhook.eventTypes = [...changes.eventTypes];
    if (changes.enabled !== undefined) webhook.enabled = changes.enabled;
    webhook.updateTime = now;
    const updated = recordEvent(em, ctx.actor, { topic: "budget", type: "budget.webhook.updated", resource: webhookName(id), data: eventData(webhook) }, now);
    await em.flush();
    // Events that occurred while the webhook was disabled are not delivered later.
    if (reEnabled) await moveCursor(em, id, Math.max(updated.id, await newestEventId(em)));
    return webhook;
  });
}

export async function deleteWebhook(ctx: UseCaseContext, id: string, etag: string): Promise<void> {
  await ctx.em.transactional(async (em) => {
    const webhook = await lockWebhook(em, id);
    checkEtag(etag, webhook.revision, webhookName(id));
    await em.nativeDelete(WebhookDeliveryEntity, { webhook: id });
    em.remove(webhook);
    recordEvent(em, ctx.actor, { topic: "budget", type: "budget.webhook.deleted", resource: webhookName(id), data: {} }, ctx.now());
    await em.flush();
  });
}

/** Replaces the secret; the old one keeps signing (as a second `v1`) for `previousValidityMs`. */
export async function rotateWebhookSecret(
  ctx: UseCaseContext,
  deps: WebhookDeps,
  id: string,
  secret: string,
  previousValidityMs: number,
  etag: string,
): Promise<{ webhook: WebhookEntity; secret: string }> {
  const chosen = secret === "" ? generateWebhookSecret() : secret;
  return ctx.em.transactional(async (em) => {
    const webhook = await lockWebhook(em, id);
    checkEtag(etag, webhook.revision, webhookName(id));
    const now = ctx.now();
    if (previousValidityMs > 0) {
      webhook.previousSecretSealed = webhook.secretSealed;
      webhook.previousSecretExpireTime = new Date(now.getTime() + previousValidityMs);
    } else {
      webhook.previousSecretSealed = "";
      webhook.previousSecretExpireTime = null;
    }
    webhook.secretSealed = encryptSecret(deps.secretsKey, chosen, webhookName(id));
    webhook.secretUpdateTime = now;
    webhook.updateTime = now;
    recordEvent(
      em,
      ctx.actor,
      { topic: "budget", type: "budget.webhook.secret_rotated", resource: webhookName(id), data: { previousSecretValidSeconds: Math.round(previousValidityMs / 1000) } },
      now,
    );
    await em.flush();
    return { webhook, secret: chosen };
  });
}

/**
 * Sends a signed test event once, now, even to a disabled webhook, and logs it as a test delivery.
 * No transaction is open while the receiver is called.
 */
export async function testWebhook(ctx: UseCaseContext, deps: WebhookDeps, id: string): Promise<WebhookDeliveryEntity> {
  const webhook = await findWebhook(ctx.em, id);
  const now = ctx.now();
  const payload = testPayload(webhookName(id), ctx.actor.name, ctx.actor.requestId, now);
  const deliveryId = randomUUID();
  const outcome = await attemptDelivery(
    signingSecrets(deps.secretsKey, webhook, now),
    { id: deliveryId, url: webhook.url, eventType: payload.type, body: payload.body },
    now,
    { timeoutMs: deps.timeoutMs, allowPrivate: deps.allowPrivateDestinations },
  );
  const delivery = ctx.em.create(WebhookDeliveryEntity, {
    id: deliveryId,
    webhook,
    eventId: null,
    eventType: payload.type,
    eventResource: payload.resource,
    test: true,
    url: webhook.url,
    body: payload.body,
    state: outcome.ok ? "succeeded" : "failed",
    attemptCount: 1,
    httpStatus: outcome.status,
    error: outcome.error,
    latencyMs: outcome.latencyMs,
    nextAttemptTime: null,
    lastAttemptTime: now,
    createTime: now,
    leaseUntil: null,
    leaseToken: "",
  });
  await ctx.em.flush();
  return delivery;
}

const stateValues = { PENDING: "pending", SUCCEEDED: "succeeded", FAILED: "failed", RETRYING: "retrying" };

const deliveryListSpec: ListSpec = {
  fields: {
    state: {
      prop: "state",
      type: "string",
      values: Object.fromEntries(Object.entries(stateValues).flatMap(([k, v]) => [[k, v], [`WEBHOOK_DELIVERY_STATE_${k}`, v]])),
    },
    event_type: { prop: "eventType", type: "string" },
    event_resource: { prop: "eventResource", type: "string" },
    test: { prop: "test", type: "bool" },
    http_status: { prop: "httpStatus", type: "number" },
    create_time: { prop: "createTime", type: "timestamp" },
    last_attempt_time: { prop: "lastAttemptTime", type: "timestamp" },
  },
  defaultOrder: "create_time desc",
  idProp: "id",
};

/** The deliveries of one webhook, or of every webhook when `webhookId` is undefined (`webhooks/-`). */
export async function listWebhookDeliveries(ctx: UseCaseContext, webhookId: string | undefined, request: ListRequestLike): Promise<Page<WebhookDeliveryEntity>> {
  if (webhookId !== undefined) await findWebhook(ctx.em, webhookId);
  return listPage(ctx.em, WebhookDeliveryEntity, deliveryListSpec, request, webhookId === undefined ? {} : { webhook: webhookId }, { scopeKey: webhookId ?? "-" });
}

/** Schedules a FAILED event delivery again, same id and body, as a new series of attempts. */
export async function retryWebhookDelivery(ctx: UseCaseContext, webhookId: string, deliveryId: string): Promise<WebhookDeliveryEntity> {
  return ctx.em.transactional(async (em) => {
    const name = deliveryName(webhookId, deliveryId);
    const delivery = await em.findOne(WebhookDeliveryEntity, { id: deliveryId, webhook: webhookId });
    if (!delivery) throw deliveryNotFound(name);
    if (delivery.test) throw deliveryNotRetryable(name, "it is a test delivery");
    if (delivery.state !== "failed") throw deliveryNotRetryable(name, `it is ${delivery.state.toUpperCase()}, not FAILED`);
    const now = ctx.now();
    delivery.state = "pending";
    delivery.attemptCount = 0;
    delivery.nextAttemptTime = now;
    delivery.leaseUntil = null;
    delivery.leaseToken = "";
    recordEvent(em, ctx.actor, { topic: "budget", type: "budget.webhook_delivery.retried", resource: name, data: { eventType: delivery.eventType, eventResource: delivery.eventResource } }, now);
    await em.flush();
    return delivery;
  });
}
