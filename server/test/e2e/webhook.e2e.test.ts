import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { toBinary, toJsonString } from "@bufbuild/protobuf";
import { durationMs, timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import {
  BudgetService,
  GetWebhookResponseSchema,
  ListWebhookDeliveriesResponseSchema,
  ListWebhooksResponseSchema,
  UpdateWebhookResponseSchema,
} from "@artenic/gen/artenic/budget/v1/budget_service_pb";
import { BudgetEnforcement, BudgetPeriod, BudgetScopeKind } from "@artenic/gen/artenic/budget/v1/budget_pb";
import { WebhookDeliveryState, type WebhookDelivery } from "@artenic/gen/artenic/budget/v1/webhook_pb";
import { ErrorInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { createBudgetGate } from "../../src/budget/index.js";
import { WebhookDeliveryWorker } from "../../src/webhooks/index.js";
import { loadServerKeys } from "../../src/platform/crypto/master-key.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { databaseKinds } from "../support/databases.js";

/** One request the loopback receiver got. */
interface Received {
  readonly path: string;
  readonly at: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
}

const BACKOFF_BASE_MS = 200;
const MAX_ATTEMPTS = 4;

/**
 * The documented receiver recipe, written independently of the server's code: HMAC-SHA256 of
 * `<t>.<raw body>` keyed with the secret, lowercase hex, compared in constant time with each v1,
 * and `t` within 5 minutes.
 */
function verify(header: string | undefined, rawBody: string, secret: string): boolean {
  if (!header) return false;
  const fields = header.split(",").map((kv) => kv.split("=", 2) as [string, string]);
  const t = fields.find(([k]) => k === "t")?.[1];
  if (!t || Math.abs(Date.now() / 1000 - Number(t)) > 300) return false;
  const expected = Buffer.from(createHmac("sha256", secret).update(`${t}.${rawBody}`).digest("hex"));
  return fields.filter(([k]) => k === "v1").some(([, v]) => v.length === expected.length && timingSafeEqual(Buffer.from(v), expected));
}

async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, what = "condition", intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe.each(databaseKinds)("webhooks end to end with a loopback receiver on %s", (kind) => {
  let server: TestServer;
  let receiver: Server;
  let base: string;
  let api: ReturnType<typeof createClient<typeof BudgetService>>;
  const received: Received[] = [];
  /** Per path: the status to answer given how often this delivery id was seen before. */
  const behaviour = new Map<string, (attempt: number) => number>();
  const gate = createBudgetGate({ currency: "USD" });
  let jobs = 0;
  let budgets = 0;

  /** Raises `count` (≤ 10) budget alerts at once: a fresh budget with that many thresholds and one job over all of them. */
  async function raiseAlerts(count: number): Promise<void> {
    await (await prepareAlerts(count))();
  }

  /** Creates the budget of `raiseAlerts` now; the returned function admits the job that raises the alerts. */
  async function prepareAlerts(count: number): Promise<() => Promise<unknown>> {
    const service = `services/alerts-${++budgets}`;
    await api.createBudget({
      budgetId: `alerts-${budgets}`,
      budget: {
        scope: { kind: BudgetScopeKind.SERVICE, target: service },
        period: BudgetPeriod.MONTHLY,
        amount: { currencyCode: "USD", units: 100n, nanos: 0 },
        enforcement: BudgetEnforcement.WARN,
        alertThresholds: Array.from({ length: count }, (_, i) => i + 1),
      },
    });
    return () =>
      server.orm.em.fork().transactional((tx) =>
        gate.admit(tx, { job: `trainingJobs/w${++jobs}`, provider: "providers/local", service, apiKey: "apiKeys/x", amount: 50, currency: "USD" }, new Date()),
      );
  }

  const at = (path: string) => received.filter((r) => r.path === path);
  const deliveriesOf = async (webhook: string, filter = "") => (await api.listWebhookDeliveries({ parent: webhook, filter, pageSize: 1000 })).deliveries;
  const failure = async (call: Promise<unknown>) => ConnectError.from(await call.then(() => expect.unreachable("the call succeeded"), (e: unknown) => e));
  const createHook = async (id: string, path: string, extra: { secret?: string; eventTypes?: string[] } = {}) =>
    api.createWebhook({ webhookId: id, webhook: { url: `${base}${path}`, eventTypes: extra.eventTypes ?? ["budget.budget_alert.*"], secret: extra.secret ?? "" } });

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const path = req.url ?? "/";
        const body = Buffer.concat(chunks).toString("utf8");
        const id = String(req.headers["artenic-delivery"]);
        const seen = received.filter((r) => r.path === path && r.headers["artenic-delivery"] === id).length;
        const status = (behaviour.get(path) ?? (() => 200))(seen);
        received.push({ path, at: Date.now(), headers: req.headers, body, status });
        if (status >= 300 && status < 400) res.setHeader("Location", `${base}/ok/redirected`);
        res.statusCode = status;
        res.end(status >= 400 ? `receiver says ${status}` : "");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
    server = await startTestServer(kind, {
      ARTENIC_WEBHOOK_ALLOW_PRIVATE_DESTINATIONS: "true",
      ARTENIC_WEBHOOK_POLL_MS: "20",
      ARTENIC_WEBHOOK_BACKOFF_BASE_MS: String(BACKOFF_BASE_MS),
      ARTENIC_WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      ARTENIC_WEBHOOK_TIMEOUT_MS: "2000",
    });
    api = createClient(BudgetService, createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] }));
  });
  afterAll(async () => {
    await server?.dispose();
    await new Promise((r) => receiver?.close(r));
  });

  it("delivers an alert signed as documented, with its headers and the event as canonical JSON", async () => {
    const { webhook, secret } = await createHook("signed", "/ok/signed");
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    await raiseAlerts(1);
    const [got] = await waitFor(() => at("/ok/signed").length === 1 && at("/ok/signed"), 10_000, "the delivery");
    expect(got!.headers["content-type"]).toBe("application/json");
    expect(got!.headers["artenic-event-type"]).toBe("budget.budget_alert.created");
    expect(got!.headers["artenic-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(got!.headers["artenic-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verify(got!.headers["artenic-signature"] as string, got!.body, secret)).toBe(true);
    expect(verify(got!.headers["artenic-signature"] as string, got!.body + " ", secret)).toBe(false);
    const event = JSON.parse(got!.body) as Record<string, unknown>;
    expect(event).toMatchObject({ topic: "EVENT_TOPIC_BUDGET", type: "budget.budget_alert.created", data: { thresholdPercent: 1, currency: "USD" } });
    expect(event["resource"]).toMatch(/^budgets\/alerts-\d+\/alerts\//);

    const [delivery] = await waitFor(async () => {
      const ds = await deliveriesOf(webhook!.name);
      return ds.length === 1 && ds[0]!.state === WebhookDeliveryState.SUCCEEDED && ds;
    });
    expect(delivery).toMatchObject({ attemptCount: 1, httpStatus: 200, error: "", test: false, eventType: "budget.budget_alert.created", eventCursor: event["cursor"] });
    expect(delivery!.name).toBe(`${webhook!.name}/deliveries/${String(got!.headers["artenic-delivery"])}`);
    expect(delivery!.nextAttemptTime).toBeUndefined();
    // Moving the webhook's place in the log is not a settings change: the etag stays.
    expect((await api.getWebhook({ name: webhook!.name })).webhook?.etag).toBe(webhook!.etag);
    await api.deleteWebhook({ name: webhook!.name });
  });

  it("never returns the secret after creation nor stores it in clear, and replays creation by request_id with the secret", async () => {
    const chosen = `caller-chosen-secret-${randomUUID()}`;
    const requestId = randomUUID();
    const created = await api.createWebhook({ webhookId: "secretive", requestId, webhook: { url: `${base}/ok/secretive`, secret: chosen, eventTypes: ["budget.budget_alert.*"] } });
    expect(created.secret).toBe(chosen);
    const replayed = await api.createWebhook({ webhookId: "secretive", requestId, webhook: { url: `${base}/ok/secretive`, secret: chosen, eventTypes: ["budget.budget_alert.*"] } });
    expect(replayed.secret).toBe(chosen);
    const generated = await createHook("generated", "/ok/generated");
    const name = created.webhook!.name;

    const responses = [
      toJsonString(GetWebhookResponseSchema, await api.getWebhook({ name })),
      toJsonString(ListWebhooksResponseSchema, await api.listWebhooks({})),
      toJsonString(UpdateWebhookResponseSchema, await api.updateWebhook({ webhook: { name, displayName: "renamed" } })),
      toJsonString(ListWebhookDeliveriesResponseSchema, await api.listWebhookDeliveries({ parent: "webhooks/-" })),
    ];
    await api.testWebhook({ name });
    for (const text of responses) {
      expect(text).not.toContain(chosen);
      expect(text).not.toContain(generated.secret);
    }
    expect(Buffer.from(toBinary(GetWebhookResponseSchema, await api.getWebhook({ name }))).includes(Buffer.from(chosen))).toBe(false);
    const update = await failure(api.updateWebhook({ webhook: { name, secret: `another-secret-${randomUUID()}` } }));
    expect(update.code).toBe(Code.InvalidArgument);

    if (kind === "sqlite") {
      // Every byte the database holds, WAL included: neither secret is there in clear.
      const files = readdirSync(server.dataDir).filter((f) => f.startsWith("artenic.sqlite"));
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) {
        const bytes = readFileSync(join(server.dataDir, f));
        expect(bytes.includes(Buffer.from(chosen)), f).toBe(false);
        expect(bytes.includes(Buffer.from(generated.secret)), f).toBe(false);
      }
    } else {
      // Every row of every table, as text.
      const conn = server.orm.em.getConnection();
      const tables = await conn.execute<{ tablename: string }[]>("select tablename from pg_tables where schemaname = 'public'");
      expect(tables.length).toBeGreaterThan(5);
      for (const { tablename } of tables) {
        const rows = await conn.execute<{ row: string }[]>(`select t::text as row from "${tablename}" t`);
        const text = rows.map((r) => r.row).join("\n");
        expect(text.includes(chosen), tablename).toBe(false);
        expect(text.includes(generated.secret), tablename).toBe(false);
      }
    }
    // The sealed copy opens with the server's key: what is stored is the secret, encrypted.
    const rows = await server.orm.em.getConnection().execute<{ secret_sealed: string }[]>("select secret_sealed from webhook where id = 'secretive'");
    expect(rows[0]!.secret_sealed).toMatch(/^v1\./);
    expect(loadServerKeys(undefined, server.dataDir).secretsKey.length).toBe(32);
    await api.deleteWebhook({ name });
    await api.deleteWebhook({ name: generated.webhook!.name });
  });

  it("retries a failing receiver with growing delays, then stops for good after its 2xx", async () => {
    // 500 for the first three attempts of each delivery, then 200 (the fourth and last allowed attempt).
    behaviour.set("/flaky", (attempt) => (attempt < 3 ? 500 : 200));
    // The budgets first, so that no RPC runs while the retries are timed.
    const batches = [await prepareAlerts(10), await prepareAlerts(10)];
    const { webhook, secret } = await createHook("flaky", "/flaky");
    // A second worker on the same database, as another server process would run: leases keep them apart.
    const rival = new WebhookDeliveryWorker({
      em: () => server.orm.em.fork(),
      logger: pino({ level: "silent" }),
      secretsKey: loadServerKeys(undefined, server.dataDir).secretsKey,
      timeoutMs: 2000,
      backoff: { baseMs: BACKOFF_BASE_MS, maxMs: 60_000 },
      maxAttempts: MAX_ATTEMPTS,
      pollMs: 15,
      concurrency: 4,
      retentionMs: 24 * 3600 * 1000,
      allowPrivateDestinations: true,
    });
    rival.start();
    try {
      await Promise.all(batches.map((admit) => admit()));
      const retrying = await waitFor(async () => {
        const ds = await deliveriesOf(webhook!.name, "state = RETRYING");
        return ds.length > 0 && ds;
      });
      expect(retrying[0]).toMatchObject({ httpStatus: 500, error: expect.stringContaining("receiver says 500") });
      let scheduled = 0;
      const done = await waitFor(async () => {
        const ds = await deliveriesOf(webhook!.name);
        for (const d of ds.filter((x) => x.state === WebhookDeliveryState.RETRYING)) {
          // The log shows when the next attempt is due: within the full-jitter cap of this retry.
          const cap = BACKOFF_BASE_MS * 2 ** (d.attemptCount - 1);
          const wait = timestampDate(d.nextAttemptTime!).getTime() - timestampDate(d.lastAttemptTime!).getTime() - durationMs(d.latency!);
          expect(wait).toBeGreaterThanOrEqual(-1);
          expect(wait).toBeLessThanOrEqual(cap + 1);
          scheduled++;
        }
        return ds.length === 20 && ds.every((d) => d.state === WebhookDeliveryState.SUCCEEDED) && ds;
      }, 20_000, "20 successful deliveries", 100);
      expect(scheduled).toBeGreaterThan(0);
      for (const d of done) expect(d).toMatchObject({ attemptCount: 4, httpStatus: 200, error: "" });
      // Long past every backoff cap and many polls of both workers: nothing more may arrive.
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await rival.stop();
    }

    const byDelivery = new Map<string, Received[]>();
    for (const r of at("/flaky")) byDelivery.set(String(r.headers["artenic-delivery"]), [...(byDelivery.get(String(r.headers["artenic-delivery"])) ?? []), r]);
    expect(byDelivery.size).toBe(20);
    const gaps: number[][] = [[], [], []];
    for (const attempts of byDelivery.values()) {
      // Exactly four attempts, the last one the only success: nothing was sent after the 2xx.
      expect(attempts.map((a) => a.status)).toEqual([500, 500, 500, 200]);
      expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
      for (const a of attempts) expect(verify(a.headers["artenic-signature"] as string, a.body, secret)).toBe(true);
      for (let k = 0; k < 3; k++) gaps[k]!.push(attempts[k + 1]!.at - attempts[k]!.at);
    }
    // Full jitter draws each delay uniformly below a cap that doubles (200, 400, 800 ms): the mean
    // wait before the last retry (about 400 ms) is well above the one before the first (about
    // 100 ms), whatever the polling and the event loop add to both. webhook-worker.test.ts checks
    // the growth attempt by attempt with the jitter pinned.
    const [g1, , g3] = gaps.map(mean) as [number, number, number];
    expect(g3 - g1).toBeGreaterThan(BACKOFF_BASE_MS / 2);
    await api.deleteWebhook({ name: webhook!.name });
  });

  it("marks a delivery FAILED after the last attempt, and RetryWebhookDelivery sends it again under the same id", async () => {
    let healthy = false;
    behaviour.set("/down", () => (healthy ? 200 : 503));
    const { webhook } = await createHook("down", "/down");
    await raiseAlerts(1);
    const [failed] = await waitFor(async () => {
      const ds = await deliveriesOf(webhook!.name);
      return ds.length === 1 && ds[0]!.state === WebhookDeliveryState.FAILED && ds;
    });
    expect(failed).toMatchObject({ attemptCount: MAX_ATTEMPTS, httpStatus: 503 });
    expect(failed!.nextAttemptTime).toBeUndefined();
    expect(at("/down")).toHaveLength(MAX_ATTEMPTS);

    healthy = true;
    const retried = (await api.retryWebhookDelivery({ name: failed!.name })).delivery!;
    expect(retried).toMatchObject({ name: failed!.name, state: WebhookDeliveryState.PENDING, attemptCount: 0 });
    const succeeded = await waitFor(async () => {
      const d = (await deliveriesOf(webhook!.name))[0]!;
      return d.state === WebhookDeliveryState.SUCCEEDED && d;
    });
    expect(succeeded).toMatchObject({ name: failed!.name, attemptCount: 1, httpStatus: 200 });
    const ids = new Set(at("/down").map((r) => r.headers["artenic-delivery"]));
    expect(ids.size).toBe(1);
    expect(new Set(at("/down").map((r) => r.body)).size).toBe(1);

    const again = await failure(api.retryWebhookDelivery({ name: failed!.name }));
    expect(again.code).toBe(Code.FailedPrecondition);
    expect((await failure(api.retryWebhookDelivery({ name: `${webhook!.name}/deliveries/${randomUUID()}` }))).code).toBe(Code.NotFound);
    await api.deleteWebhook({ name: webhook!.name });
  });

  it("tests a webhook once, even when disabled: success, a failing receiver and a redirect that is not followed", async () => {
    behaviour.set("/broken", () => 500);
    behaviour.set("/moved", () => 302);
    const ok = (await createHook("tested", "/ok/tested")).webhook!;
    await api.updateWebhook({ webhook: { name: ok.name, enabled: false }, updateMask: { paths: ["enabled"] } });
    const success = (await api.testWebhook({ name: ok.name })).delivery!;
    expect(success).toMatchObject({ test: true, state: WebhookDeliveryState.SUCCEEDED, httpStatus: 200, attemptCount: 1, eventType: "budget.webhook.tested", eventCursor: "", eventResource: ok.name });
    expect(success.latency).toBeDefined();
    const sent = at("/ok/tested");
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.body)).toMatchObject({ type: "budget.webhook.tested", resource: ok.name });

    const broken = (await createHook("broken", "/broken")).webhook!;
    const failed = (await api.testWebhook({ name: broken.name })).delivery!;
    expect(failed).toMatchObject({ state: WebhookDeliveryState.FAILED, httpStatus: 500, error: "HTTP 500: receiver says 500" });
    const moved = (await createHook("moved", "/moved")).webhook!;
    const redirect = (await api.testWebhook({ name: moved.name })).delivery!;
    expect(redirect).toMatchObject({ state: WebhookDeliveryState.FAILED, httpStatus: 302 });
    expect(redirect.error).toContain("not followed");
    await new Promise((r) => setTimeout(r, 400));
    expect(at("/broken")).toHaveLength(1);
    expect(at("/ok/redirected")).toHaveLength(0);
    expect((await failure(api.retryWebhookDelivery({ name: failed.name }))).code).toBe(Code.FailedPrecondition);
    const unknown = await failure(api.testWebhook({ name: "webhooks/nobody" }));
    expect(unknown.findDetails(ErrorInfoSchema)[0]?.reason).toBe("WEBHOOK_NOT_FOUND");
    for (const w of [ok, broken, moved]) await api.deleteWebhook({ name: w.name });
  });

  it("signs with the old secret too while a rotation's grace period lasts", async () => {
    const { webhook, secret: old } = await createHook("rotated", "/ok/rotated");
    const rotated = await api.rotateWebhookSecret({ name: webhook!.name, previousSecretValidity: { seconds: 3600n, nanos: 0 }, etag: webhook!.etag });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(old);
    await raiseAlerts(1);
    const [got] = await waitFor(() => at("/ok/rotated").length === 1 && at("/ok/rotated"));
    const header = got!.headers["artenic-signature"] as string;
    expect(header.split(",").filter((p) => p.startsWith("v1="))).toHaveLength(2);
    expect(verify(header, got!.body, rotated.secret)).toBe(true);
    expect(verify(header, got!.body, old)).toBe(true);

    const abrupt = await api.rotateWebhookSecret({ name: webhook!.name });
    await raiseAlerts(1);
    const second = await waitFor(() => at("/ok/rotated").length === 2 && at("/ok/rotated")[1]);
    const header2 = second.headers["artenic-signature"] as string;
    expect(header2.split(",").filter((p) => p.startsWith("v1="))).toHaveLength(1);
    expect(verify(header2, second.body, abrupt.secret)).toBe(true);
    expect(verify(header2, second.body, rotated.secret)).toBe(false);
    expect((await failure(api.rotateWebhookSecret({ name: webhook!.name, etag: webhook!.etag }))).code).toBe(Code.Aborted);
    await api.deleteWebhook({ name: webhook!.name });
  });

  it("delivers nothing while disabled, not even later, and lists, filters and deletes deliveries with their webhook", async () => {
    const { webhook } = await createHook("paused", "/ok/paused");
    await api.updateWebhook({ webhook: { name: webhook!.name, enabled: false }, updateMask: { paths: ["enabled"] } });
    await raiseAlerts(2);
    await new Promise((r) => setTimeout(r, 300));
    const enabled = (await api.updateWebhook({ webhook: { name: webhook!.name, enabled: true }, updateMask: { paths: ["enabled"] } })).webhook!;
    expect(enabled.enabled).toBe(true);
    await raiseAlerts(1);
    await waitFor(() => at("/ok/paused").length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(at("/ok/paused")).toHaveLength(1);

    const listed = await api.listWebhooks({ filter: "enabled = true" });
    expect(listed.webhooks.map((w) => w.name)).toContain(webhook!.name);
    const mine: WebhookDelivery[] = await deliveriesOf(webhook!.name, 'event_type = "budget.budget_alert.created" AND test = false');
    expect(mine).toHaveLength(1);
    await api.deleteWebhook({ name: webhook!.name });
    expect((await failure(api.listWebhookDeliveries({ parent: webhook!.name }))).code).toBe(Code.NotFound);
    const rest = (await api.listWebhookDeliveries({ parent: "webhooks/-", pageSize: 1000 })).deliveries;
    expect(rest.some((d) => d.name.startsWith(`${webhook!.name}/`))).toBe(false);
  });
});
