import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { BudgetService } from "@artenic/gen/artenic/budget/v1/budget_service_pb";
import { BudgetEnforcement, BudgetPeriod, BudgetScopeKind, SpendingEntryState } from "@artenic/gen/artenic/budget/v1/budget_pb";
import { ErrorInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { apiKeyInterceptor } from "@artenic/sdk";
import { createBudgetGate, type SpendRequest } from "../../src/budget/index.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const usd = (units: number, nanos = 0) => ({ currencyCode: "USD", units: BigInt(units), nanos });
const money = (m: { units: bigint; nanos: number } | undefined) => (m ? Number(m.units) + m.nanos / 1e9 : NaN);

describe("BudgetService budgets over gRPC", () => {
  let server: TestServer;
  let budgets: ReturnType<typeof createClient<typeof BudgetService>>;
  let jobs = 0;
  const gate = createBudgetGate({ currency: "USD" });
  const admit = (amount: number, scope: Partial<SpendRequest>) =>
    server.orm.em.fork().transactional((tx) =>
      gate.admit(tx, { job: `trainingJobs/e${++jobs}`, provider: "providers/local", service: "", apiKey: "apiKeys/someone", amount, currency: "USD", ...scope }, new Date()),
    );
  const failure = async (call: Promise<unknown>) => ConnectError.from(await call.then(() => expect.unreachable("the call succeeded"), (e: unknown) => e));

  beforeAll(async () => {
    server = await startTestServer("sqlite");
    budgets = createClient(BudgetService, createGrpcTransport({ baseUrl: server.url, interceptors: [apiKeyInterceptor(server.adminKey)] }));
  });
  afterAll(async () => server?.dispose());

  it("creates a budget once per request_id and reports its current period and spending", async () => {
    const requestId = randomUUID();
    const request = {
      budgetId: "aws-monthly",
      requestId,
      budget: {
        displayName: "AWS",
        scope: { kind: BudgetScopeKind.PROVIDER, target: "providers/aws" },
        period: BudgetPeriod.MONTHLY,
        amount: usd(100),
        enforcement: BudgetEnforcement.BLOCK,
        alertThresholds: [50, 80],
        labels: { team: "vision" },
      },
    };
    const first = await budgets.createBudget(request);
    const again = await budgets.createBudget(request);
    expect(again.budget?.createTime).toEqual(first.budget?.createTime);
    const b = first.budget!;
    expect(b).toMatchObject({ name: "budgets/aws-monthly", enabled: true, percentUsed: 0, etag: '"1"' });
    expect(money(b.amount)).toBe(100);
    expect(money(b.remaining)).toBe(100);
    const start = b.currentPeriod!.startTime!;
    const now = new Date();
    expect(new Date(Number(start.seconds) * 1000).toISOString()).toBe(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString());

    await admit(12.5, { provider: "providers/aws" });
    const read = (await budgets.getBudget({ name: "budgets/aws-monthly" })).budget!;
    expect(money(read.reserved)).toBe(12.5);
    expect(money(read.remaining)).toBe(87.5);
    expect(read.percentUsed).toBeCloseTo(12.5, 9);
  });

  it("refuses another currency, an unknown provider, a bad time zone and a taken id with the right codes", async () => {
    const base = { scope: { kind: BudgetScopeKind.GLOBAL }, period: BudgetPeriod.DAILY, amount: usd(5), enforcement: BudgetEnforcement.WARN };
    const eur = await failure(budgets.createBudget({ budgetId: "eur", budget: { ...base, amount: { currencyCode: "EUR", units: 5n, nanos: 0 } } }));
    expect(eur.code).toBe(Code.InvalidArgument);
    expect(eur.findDetails(ErrorInfoSchema)[0]?.reason).toBe("CURRENCY_MISMATCH");
    const provider = await failure(budgets.createBudget({ budgetId: "nowhere", budget: { ...base, scope: { kind: BudgetScopeKind.PROVIDER, target: "providers/nowhere" } } }));
    expect(provider.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UNKNOWN_PROVIDER");
    const zone = await failure(budgets.createBudget({ budgetId: "zone", budget: { ...base, timeZone: "Mars/Base" } }));
    expect(zone.findDetails(ErrorInfoSchema)[0]?.reason).toBe("INVALID_TIME_ZONE");
    const badTarget = await failure(budgets.createBudget({ budgetId: "target", budget: { ...base, scope: { kind: BudgetScopeKind.GLOBAL, target: "providers/aws" } } }));
    expect(badTarget.code).toBe(Code.InvalidArgument);
    await budgets.createBudget({ budgetId: "taken", budget: base });
    expect((await failure(budgets.createBudget({ budgetId: "taken", budget: base }))).code).toBe(Code.AlreadyExists);
  });

  it("updates settings under an update mask and etag, refusing scope and stale etags", async () => {
    const created = (
      await budgets.createBudget({
        budgetId: "svc-fraud",
        budget: { scope: { kind: BudgetScopeKind.SERVICE, target: "services/fraud" }, period: BudgetPeriod.WEEKLY, amount: usd(10), enforcement: BudgetEnforcement.BLOCK },
      })
    ).budget!;
    const scope = await failure(budgets.updateBudget({ budget: { name: created.name, scope: { kind: BudgetScopeKind.GLOBAL } }, updateMask: { paths: ["scope"] } }));
    expect(scope.code).toBe(Code.InvalidArgument);
    const updated = (
      await budgets.updateBudget({
        budget: { name: created.name, etag: created.etag, amount: usd(20, 500_000_000), rolling: true, timeZone: "Europe/Paris", alertThresholds: [90] },
      })
    ).budget!;
    expect(money(updated.amount)).toBe(20.5);
    expect(updated).toMatchObject({ rolling: true, timeZone: "Europe/Paris", alertThresholds: [90], period: BudgetPeriod.WEEKLY });
    const end = Number(updated.currentPeriod!.endTime!.seconds);
    expect(Math.abs(end - Date.now() / 1000)).toBeLessThan(60);
    const disabled = (await budgets.updateBudget({ budget: { name: created.name, enabled: false }, updateMask: { paths: ["enabled"] } })).budget!;
    expect(disabled.enabled).toBe(false);
    expect((await failure(budgets.updateBudget({ budget: { name: created.name, etag: created.etag, displayName: "x" } }))).code).toBe(Code.Aborted);
    const eur = await failure(budgets.updateBudget({ budget: { name: created.name, amount: { currencyCode: "EUR", units: 1n, nanos: 0 } }, updateMask: { paths: ["amount"] } }));
    expect(eur.findDetails(ErrorInfoSchema)[0]?.reason).toBe("CURRENCY_MISMATCH");
  });

  it("lists budgets with filters and pages, newest first", async () => {
    for (const id of ["page-a", "page-b", "page-c"]) {
      await budgets.createBudget({
        budgetId: id,
        budget: { scope: { kind: BudgetScopeKind.API_KEY, target: `apiKeys/${id}` }, period: BudgetPeriod.DAILY, amount: usd(1), enforcement: BudgetEnforcement.WARN, labels: { suite: "paging" } },
      });
    }
    const first = await budgets.listBudgets({ pageSize: 2, filter: 'labels.suite = "paging" AND scope.kind = API_KEY' });
    expect(first.budgets.map((b) => b.name)).toEqual(["budgets/page-c", "budgets/page-b"]);
    expect(first.totalSize).toBe(3n);
    const second = await budgets.listBudgets({ pageSize: 2, filter: 'labels.suite = "paging" AND scope.kind = API_KEY', pageToken: first.nextPageToken });
    expect(second.budgets.map((b) => b.name)).toEqual(["budgets/page-a"]);
    expect(second.nextPageToken).toBe("");
    expect((await failure(budgets.listBudgets({ filter: "color = red" }))).code).toBe(Code.InvalidArgument);
  });

  it("summarizes a period by provider with its entries, and lists alerts of one budget or all", async () => {
    await budgets.createBudget({
      budgetId: "team-key",
      budget: { scope: { kind: BudgetScopeKind.API_KEY, target: "apiKeys/team" }, period: BudgetPeriod.MONTHLY, amount: usd(100), enforcement: BudgetEnforcement.BLOCK, alertThresholds: [10, 50] },
    });
    await admit(30, { apiKey: "apiKeys/team", provider: "providers/aws" });
    await admit(5, { apiKey: "apiKeys/team", provider: "providers/local" });
    await admit(10, { apiKey: "apiKeys/team", provider: "providers/aws" });
    await server.orm.em.fork().transactional((tx) => gate.settle(tx, `trainingJobs/e${jobs}`, 8, new Date()));
    const summary = (await budgets.getSpendingSummary({ budget: "budgets/team-key", entryLimit: 2 })).summary!;
    expect(money(summary.spent)).toBe(8);
    expect(money(summary.reserved)).toBe(35);
    expect(money(summary.remaining)).toBe(57);
    expect(summary.percentUsed).toBeCloseTo(43, 9);
    expect(summary.totalEntryCount).toBe(3);
    expect(summary.entries.map((e) => [e.trainingJob, e.state, money(e.amount), money(e.reservation)])).toEqual([
      [`trainingJobs/e${jobs}`, SpendingEntryState.SETTLED, 8, 10],
      [`trainingJobs/e${jobs - 1}`, SpendingEntryState.RESERVED, 5, 5],
    ]);
    expect(summary.byProvider.map((p) => [p.provider, money(p.spent), money(p.reserved), p.jobCount])).toEqual([
      ["providers/aws", 8, 30, 2],
      ["providers/local", 0, 5, 1],
    ]);
    const lastMonth = (await budgets.getSpendingSummary({ budget: "budgets/team-key", periodTime: timestampFromDate(new Date(Date.now() - 40 * 24 * 3600 * 1000)) })).summary!;
    expect(lastMonth.totalEntryCount).toBe(0);

    const alerts = await budgets.listBudgetAlerts({ parent: "budgets/team-key" });
    expect(alerts.budgetAlerts.map((a) => a.thresholdPercent)).toEqual([10]);
    expect(alerts.budgetAlerts[0]).toMatchObject({ trainingJob: `trainingJobs/e${jobs - 2}` });
    expect(alerts.budgetAlerts[0]!.name).toMatch(/^budgets\/team-key\/alerts\/a[a-z0-9]+$/);
    const all = await budgets.listBudgetAlerts({ parent: "budgets/-", filter: "threshold_percent >= 10" });
    expect(all.budgetAlerts.length).toBeGreaterThanOrEqual(1);
    expect((await failure(budgets.listBudgetAlerts({ parent: "budgets/missing" }))).code).toBe(Code.NotFound);
  });

  it("deletes a budget and its alerts, honouring the etag; reads then answer NOT_FOUND", async () => {
    const b = (
      await budgets.createBudget({ budgetId: "short-lived", budget: { scope: { kind: BudgetScopeKind.GLOBAL }, period: BudgetPeriod.DAILY, amount: usd(1), enforcement: BudgetEnforcement.WARN } })
    ).budget!;
    expect((await failure(budgets.deleteBudget({ name: b.name, etag: '"99"' }))).code).toBe(Code.Aborted);
    await budgets.deleteBudget({ name: b.name, etag: b.etag });
    const missing = await failure(budgets.getBudget({ name: b.name }));
    expect(missing.code).toBe(Code.NotFound);
    expect(missing.findDetails(ErrorInfoSchema)[0]?.reason).toBe("BUDGET_NOT_FOUND");
  });

  it("refuses webhook destinations on loopback or private addresses under the default configuration", async () => {
    for (const url of ["http://127.0.0.1:9/hook", "http://localhost/hook", "http://169.254.169.254/latest", "http://[::1]/hook"]) {
      const refused = await failure(budgets.createWebhook({ webhookId: "inside", webhook: { url } }));
      expect(refused.code, url).toBe(Code.InvalidArgument);
      expect(refused.findDetails(ErrorInfoSchema)[0]?.reason, url).toBe("WEBHOOK_DESTINATION_REFUSED");
    }
    const outside = await budgets.createWebhook({ webhookId: "outside", webhook: { url: "https://hooks.example.com/artenic", eventTypes: ["none.never"] } });
    const update = await failure(budgets.updateWebhook({ webhook: { name: outside.webhook!.name, url: "http://10.0.0.8/hook" } }));
    expect(update.findDetails(ErrorInfoSchema)[0]?.reason).toBe("WEBHOOK_DESTINATION_REFUSED");
    await budgets.deleteWebhook({ name: outside.webhook!.name });
  });

  it("serves the same budget over Connect JSON", async () => {
    const connect = createClient(BudgetService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [apiKeyInterceptor(server.adminKey)] }));
    const b = (await connect.getBudget({ name: "budgets/aws-monthly" })).budget!;
    expect(money(b.amount)).toBe(100);
  });
});
