import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { pino } from "pino";
import { initOrm, migrate, type Orm } from "../../src/platform/db/orm.js";
import { installOutboxCommitHooks } from "../../src/events/index.js";
import { recordEvent } from "../../src/platform/outbox/outbox.js";
import type { UseCaseContext } from "../../src/platform/context.js";
import { WebhookDeliveryWorker, verifySignature } from "../../src/webhooks/index.js";
import { createWebhook } from "../../src/webhooks/webhook.use-cases.js";
import { WebhookDeliveryEntity } from "../../src/webhooks/webhook.entity.js";
import { createScratchDatabase, type ScratchDatabase } from "../support/databases.js";

const BASE_MS = 300;

describe("webhook delivery worker with the jitter pinned", () => {
  let db: ScratchDatabase;
  let orm: Orm;
  let receiver: Server;
  let url: string;
  const secretsKey = randomBytes(32);
  const hits: { at: number; status: number; delivery: string; body: string; signature: string }[] = [];

  beforeAll(async () => {
    db = await createScratchDatabase("sqlite", "webhook_worker");
    orm = await initOrm(db.config);
    installOutboxCommitHooks(orm);
    await migrate(orm);
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const status = hits.length < 3 ? 500 : 200;
        hits.push({ at: Date.now(), status, delivery: String(req.headers["artenic-delivery"]), body: Buffer.concat(chunks).toString("utf8"), signature: String(req.headers["artenic-signature"]) });
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  });
  afterAll(async () => {
    await new Promise((r) => receiver?.close(r));
    await orm?.close();
    await db?.drop();
  });

  it("waits before each retry the full cap, doubling from the base, when the jitter draws its maximum", async () => {
    const ctx: UseCaseContext = { em: orm.em.fork(), actor: { name: "apiKeys/tester", requestId: "" }, now: () => new Date() };
    const { secret } = await createWebhook(ctx, { secretsKey, allowPrivateDestinations: true, timeoutMs: 2000 }, "pinned", {
      displayName: "",
      description: "",
      labels: {},
      url,
      eventTypes: ["training.*"],
      enabled: true,
    }, "");
    const em = orm.em.fork();
    recordEvent(em, { name: "system", requestId: "" }, { topic: "training", type: "training.training_job.failed", resource: "trainingJobs/t1", data: { exitCode: 3 } }, new Date());
    await em.flush();

    const worker = new WebhookDeliveryWorker({
      em: () => orm.em.fork(),
      logger: pino({ level: "silent" }),
      secretsKey,
      timeoutMs: 2000,
      backoff: { baseMs: BASE_MS, maxMs: 60_000 },
      maxAttempts: 10,
      pollMs: 10,
      concurrency: 4,
      retentionMs: 24 * 3600 * 1000,
      allowPrivateDestinations: true,
      random: () => 0.999_999,
    });
    worker.start();
    try {
      const deadline = Date.now() + 15_000;
      while (hits.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await worker.stop();
    }

    expect(hits.map((h) => h.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(hits.map((h) => h.delivery)).size).toBe(1);
    for (const h of hits) expect(verifySignature(h.signature, h.body, secret, Math.floor(Date.now() / 1000))).toBe(true);
    const gaps = hits.slice(1).map((h, i) => h.at - hits[i]!.at);
    // Each wait is at least its cap (300, 600, 1200 ms): polling and a busy event loop only lengthen it.
    gaps.forEach((gap, k) => {
      expect(gap).toBeGreaterThanOrEqual(BASE_MS * 2 ** k - 2);
      expect(gap).toBeLessThan(BASE_MS * 2 ** k + 1500);
    });
    const [delivery] = await orm.em.fork().find(WebhookDeliveryEntity, {});
    expect(delivery).toMatchObject({ state: "succeeded", attemptCount: 4, httpStatus: 200, nextAttemptTime: null });
  });
});
