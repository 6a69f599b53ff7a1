import { randomUUID } from "node:crypto";
import type { EntityManager } from "@mikro-orm/core";
import type { Logger } from "pino";
import { OutboxEventEntity } from "../platform/outbox/outbox-event.entity.js";
import { WebhookDeliveryEntity, WebhookEntity } from "./webhook.entity.js";
import { attemptDelivery, signingSecrets } from "./delivery-attempt.js";
import { backoffDelayMs, type BackoffPolicy } from "./backoff.js";
import { payloadOfEvent, selectsEventType } from "./webhook-event.js";
import { moveCursor } from "./webhook.use-cases.js";
import type { AttemptOutcome } from "./webhook-sender.js";

export interface DeliveryWorkerOptions {
  /** A fresh EntityManager per unit of work. */
  readonly em: () => EntityManager;
  readonly logger: Logger;
  readonly secretsKey: Buffer;
  readonly timeoutMs: number;
  readonly backoff: BackoffPolicy;
  readonly maxAttempts: number;
  readonly pollMs: number;
  readonly concurrency: number;
  readonly retentionMs: number;
  readonly allowPrivateDestinations: boolean;
  /** Injected for tests. */
  readonly now?: () => Date;
  readonly random?: () => number;
}

/** Events read from the log per fan-out round. */
const FAN_OUT_BATCH = 500;
/** How long a claimed attempt belongs to its worker beyond its own timeout, before another may take it. */
const LEASE_MARGIN_MS = 30_000;
const PRUNE_EVERY_MS = 10 * 60 * 1000;

/**
 * Delivers the event log to webhooks, at least once, independently of the requests that wrote the
 * events.
 *
 * Design: each webhook keeps a high-water mark (`cursor`) in the event log. A fan-out round reads
 * the committed events after the smallest mark and, per webhook, under that webhook's row lock,
 * inserts one delivery row per selected event and moves the mark, in one transaction: a crash
 * either keeps both or neither, and the unique (webhook, event) key forbids a second copy. Event
 * ids follow commit order (outbox-commit-hooks.ts), so a mark never passes an event that commits
 * later. Deliveries are then claimed with a lease (a conditional update, so one worker among
 * several server processes gets each attempt), POSTed without any transaction open, and their
 * outcome recorded only if the lease is still theirs. After a 2xx the delivery is SUCCEEDED and is
 * never claimed again; a crash between the POST and the record leads to one more attempt after the
 * lease expires, which is the at-least-once contract receivers deduplicate by `Artenic-Delivery`.
 */
export class WebhookDeliveryWorker {
  private readonly now: () => Date;
  private readonly random: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private wakeRequested = false;
  private lastPrune = 0;
  /** Whether the last round saw webhooks or deliveries in flight; wake-ups are ignored otherwise. */
  private busy = true;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.now = options.now ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Runs a round soon: after a commit that may have added events, or a manual retry. */
  wake(): void {
    if (this.stopped || !this.busy) return;
    if (this.running) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops polling and abandons attempts in flight; their leases expire and another round retries them. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.running;
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.round()
        .catch((e: unknown) => this.options.logger.warn({ err: e }, "webhook delivery round failed"))
        .finally(() => {
          this.running = undefined;
          if (this.stopped) return;
          const again = this.wakeRequested;
          this.wakeRequested = false;
          this.schedule(again ? 0 : this.options.pollMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** One round: fan new events out into deliveries, start due attempts, prune old deliveries. */
  async round(): Promise<void> {
    for (let i = 0; i < 20 && !this.stopped; i++) {
      if (!(await this.fanOut())) break;
    }
    if (this.stopped) return;
    await this.dispatchDue();
    const now = this.now().getTime();
    if (now - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = now;
      await this.prune(new Date(now - this.options.retentionMs));
    }
  }

  /** Turns the next batch of events into deliveries. Returns whether a full batch was read. */
  async fanOut(): Promise<boolean> {
    const em = this.options.em();
    const webhooks = await em.find(WebhookEntity, {}, { fields: ["id", "cursor"] as never, disableIdentityMap: true });
    this.busy = webhooks.length > 0 || this.inFlight.size > 0;
    if (webhooks.length === 0) return false;
    const from = Math.min(...webhooks.map((w) => w.cursor));
    const events = await em.find(OutboxEventEntity, { id: { $gt: from } }, { orderBy: { id: "asc" }, limit: FAN_OUT_BATCH, disableIdentityMap: true });
    if (events.length === 0) return false;
    const last = events[events.length - 1]!.id;
    for (const w of webhooks) {
      if (w.cursor >= last) continue;
      await this.options.em().transactional(async (tx) => {
        // The lock orders this fan-out after any concurrent one (another server process) and after
        // an update that re-enabled the webhook; the mark is read again under it.
        await tx.getConnection().execute("update webhook set revision = revision where id = ?", [w.id], "run", tx.getTransactionContext());
        const webhook = await tx.findOne(WebhookEntity, { id: w.id }, { refresh: true });
        if (!webhook || webhook.cursor >= last) return;
        if (webhook.enabled) {
          const now = this.now();
          for (const event of events) {
            if (event.id <= webhook.cursor || !selectsEventType(webhook.eventTypes, event.type)) continue;
            const payload = payloadOfEvent(event);
            tx.create(WebhookDeliveryEntity, {
              id: randomUUID(),
              webhook,
              eventId: event.id,
              eventType: payload.type,
              eventResource: payload.resource,
              test: false,
              url: webhook.url,
              body: payload.body,
              state: "pending",
              attemptCount: 0,
              httpStatus: 0,
              error: "",
              latencyMs: 0,
              nextAttemptTime: now,
              lastAttemptTime: new Date(0),
              createTime: now,
              leaseUntil: null,
              leaseToken: "",
            });
          }
        }
        await tx.flush();
        await moveCursor(tx, webhook.id, last);
      });
    }
    return events.length === FAN_OUT_BATCH;
  }

  /** Claims due deliveries up to the free concurrency and starts their attempts. */
  private async dispatchDue(): Promise<void> {
    const free = this.options.concurrency - this.inFlight.size;
    if (free <= 0) return;
    const em = this.options.em();
    const now = this.now();
    const claimable = { state: { $in: ["pending", "retrying"] }, nextAttemptTime: { $lte: now }, $or: [{ leaseUntil: null }, { leaseUntil: { $lt: now } }] };
    const due = await em.find(WebhookDeliveryEntity, claimable as never, { fields: ["id"] as never, orderBy: { nextAttemptTime: "asc", id: "asc" }, limit: free, disableIdentityMap: true });
    if (due.length === 0) return;
    // One conditional update claims the batch: a row another worker claimed (or attempted and
    // rescheduled) since the read above no longer matches. The claimed rows are then read back,
    // so each attempt starts from the row as it is now, never from a stale copy.
    const token = randomUUID();
    const claimed = await em.nativeUpdate(WebhookDeliveryEntity, { id: { $in: due.map((d) => d.id) }, ...claimable } as never, {
      leaseUntil: new Date(now.getTime() + this.options.timeoutMs + LEASE_MARGIN_MS),
      leaseToken: token,
    });
    if (claimed === 0) return;
    for (const d of await em.find(WebhookDeliveryEntity, { leaseToken: token }, { disableIdentityMap: true })) {
      const attempt = this.attempt(d, token).catch((e: unknown) => this.options.logger.warn({ err: e, delivery: d.id }, "webhook delivery attempt failed"));
      this.inFlight.add(attempt);
      void attempt.finally(() => {
        this.inFlight.delete(attempt);
        // A free slot: look for more due deliveries now rather than at the next poll.
        this.wake();
      });
    }
  }

  private async attempt(delivery: WebhookDeliveryEntity, token: string): Promise<void> {
    const em = this.options.em();
    const webhookId = (delivery.webhook as unknown as { id: string }).id;
    const webhook = await em.findOne(WebhookEntity, { id: webhookId });
    if (!webhook) return; // deleted with its deliveries
    const started = this.now();
    let outcome: AttemptOutcome;
    if (!webhook.enabled) {
      outcome = { ok: false, status: 0, error: "the webhook is disabled", latencyMs: 0 };
    } else {
      outcome = await attemptDelivery(
        signingSecrets(this.options.secretsKey, webhook, started),
        { id: delivery.id, url: delivery.url, eventType: delivery.eventType, body: delivery.body },
        started,
        { timeoutMs: this.options.timeoutMs, allowPrivate: this.options.allowPrivateDestinations, signal: this.abort.signal },
      );
      // Abandoned at shutdown: the lease expires and the next server retries it.
      if (this.abort.signal.aborted && !outcome.ok) return;
    }
    const attempts = delivery.attemptCount + 1;
    const finished = outcome.ok || !webhook.enabled || attempts >= this.options.maxAttempts;
    const next = finished ? null : new Date(started.getTime() + outcome.latencyMs + backoffDelayMs(this.options.backoff, attempts, this.random));
    await em.nativeUpdate(
      WebhookDeliveryEntity,
      { id: delivery.id, leaseToken: token },
      {
        state: outcome.ok ? "succeeded" : finished ? "failed" : "retrying",
        attemptCount: attempts,
        httpStatus: outcome.status,
        error: outcome.error,
        latencyMs: outcome.latencyMs,
        lastAttemptTime: started,
        nextAttemptTime: next,
        leaseUntil: null,
        leaseToken: "",
      },
    );
    if (!outcome.ok) this.options.logger.debug({ delivery: delivery.id, webhook: webhookId, status: outcome.status, error: outcome.error, attempts }, "webhook delivery attempt failed");
  }

  /** Removes finished deliveries older than the retention. */
  async prune(before: Date): Promise<number> {
    return this.options.em().nativeDelete(WebhookDeliveryEntity, { state: { $in: ["succeeded", "failed"] }, createTime: { $lt: before } });
  }
}
