import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code } from "@connectrpc/connect";
import { ErrorInfoSchema, QuotaFailureSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { initOrm, migrate, type Orm } from "../../src/platform/db/orm.js";
import { installOutboxCommitHooks } from "../../src/events/index.js";
import { AppError } from "../../src/platform/errors/app-error.js";
import { toConnectError } from "../../src/platform/errors/to-connect-error.js";
import { OutboxEventEntity } from "../../src/platform/outbox/outbox-event.entity.js";
import type { UseCaseContext } from "../../src/platform/context.js";
import { createBudgetGate, type BudgetGate, type SpendRequest } from "../../src/budget/index.js";
import { createBudget, getBudget, getSpendingSummary, listBudgetAlerts, updateBudget, type BudgetInput } from "../../src/budget/budget.use-cases.js";
import { createScratchDatabase, databaseKinds, type ScratchDatabase } from "../support/databases.js";

const NOW = new Date("2026-11-26T12:00:00Z");

describe.each(databaseKinds)("BudgetGate on %s", (kind) => {
  let db: ScratchDatabase;
  let orm: Orm;
  let gate: BudgetGate;
  let jobs = 0;
  const deps = { currency: "USD", isKnownProvider: () => true };
  const ctx = (now = NOW): UseCaseContext => ({ em: orm.em.fork(), actor: { name: "apiKeys/tester", requestId: "" }, now: () => now });
  const budget = (overrides: Partial<BudgetInput>): BudgetInput => ({
    displayName: "",
    description: "",
    labels: {},
    scopeKind: "global",
    scopeTarget: "",
    period: "monthly",
    rolling: false,
    timeZone: "",
    amountMicros: 1_000_000_000,
    currency: "USD",
    enforcement: "block",
    alertThresholds: [],
    enabled: true,
    ...overrides,
  });
  /** A job on its own provider, service and key unless told otherwise, so suites do not share budgets by accident. */
  const request = (amount: number, scope: Partial<SpendRequest> = {}): SpendRequest => ({
    job: `trainingJobs/j${++jobs}`,
    provider: "providers/isolated",
    service: "",
    apiKey: "apiKeys/isolated",
    amount,
    currency: "USD",
    ...scope,
  });
  const admit = (r: SpendRequest, now = NOW) => orm.em.fork().transactional((tx) => gate.admit(tx, r, now));
  const settle = (job: string, actual: number, now = NOW) => orm.em.fork().transactional((tx) => gate.settle(tx, job, actual, now));
  const usage = async (id: string, now = NOW) => {
    const view = await getBudget(ctx(now), id);
    return { spent: view.usage.spentMicros / 1e6, reserved: view.usage.reservedMicros / 1e6 };
  };

  beforeAll(async () => {
    db = await createScratchDatabase(kind, "budget_gate");
    orm = await initOrm(db.config);
    installOutboxCommitHooks(orm);
    await migrate(orm);
    gate = createBudgetGate({ currency: "USD" });
  });
  afterAll(async () => {
    await orm?.close();
    await db?.drop();
  });

  it("admits exactly 37 of 200 concurrent admissions against a budget that allows 37", async () => {
    await createBudget(ctx(), deps, "exactly-37", budget({ scopeKind: "provider", scopeTarget: "providers/race", amountMicros: 37_000_000 }));
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => admit(request(1, { provider: "providers/race" }))));
    const admitted = results.filter((r) => r.status === "fulfilled").length;
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(admitted).toBe(37);
    expect(refused).toHaveLength(163);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(AppError);
      expect((r.reason as AppError).reason).toBe("BUDGET_EXCEEDED");
    }
    expect(await usage("exactly-37")).toEqual({ spent: 0, reserved: 37 });
  });

  it("refuses with RESOURCE_EXHAUSTED, QuotaFailure and ErrorInfo naming the budget, its limit, spent, reserved and the estimate", async () => {
    await createBudget(ctx(), deps, "small", budget({ scopeKind: "service", scopeTarget: "services/small", amountMicros: 10_000_000 }));
    const first = request(4, { service: "services/small" });
    await admit(first);
    await settle(first.job, 3.5);
    await admit(request(2.25, { service: "services/small" }));
    const error = await admit(request(5, { service: "services/small" })).catch((e: unknown) => e);
    const wire = toConnectError(error)!;
    expect(wire.code).toBe(Code.ResourceExhausted);
    expect(wire.findDetails(ErrorInfoSchema)[0]).toMatchObject({
      reason: "BUDGET_EXCEEDED",
      metadata: { budget: "budgets/small", limit: "10", spent: "3.5", reserved: "2.25", estimate: "5", currency: "USD" },
    });
    expect(wire.findDetails(QuotaFailureSchema)[0]?.violations.map((v) => v.subject)).toEqual(["budgets/small"]);
  });

  it("replaces a reservation with the actual cost on settlement, and releases it when the actual cost is 0", async () => {
    await createBudget(ctx(), deps, "settled", budget({ scopeKind: "api_key", scopeTarget: "apiKeys/settler", amountMicros: 100_000_000 }));
    const a = request(10, { apiKey: "apiKeys/settler" });
    const b = request(20, { apiKey: "apiKeys/settler" });
    await admit(a);
    await admit(b);
    expect(await usage("settled")).toEqual({ spent: 0, reserved: 30 });
    await settle(a.job, 12.5);
    expect(await usage("settled")).toEqual({ spent: 12.5, reserved: 20 });
    await settle(b.job, 0);
    expect(await usage("settled")).toEqual({ spent: 12.5, reserved: 0 });
    const summary = await getSpendingSummary(ctx(), "settled", undefined, 0);
    expect(summary.entries.map((e) => [e.job, e.state, e.amountMicros, e.reservationMicros])).toEqual([
      [b.job, "settled", 0, 20_000_000],
      [a.job, "settled", 12_500_000, 10_000_000],
    ]);
  });

  it("reserves in every matching budget, and a single BLOCK refusal reserves in none", async () => {
    await createBudget(ctx(), deps, "all-jobs", budget({ scopeKind: "global", amountMicros: 1_000_000_000_000 }));
    await createBudget(ctx(), deps, "gpu-cloud", budget({ scopeKind: "provider", scopeTarget: "providers/gpu-cloud", amountMicros: 50_000_000 }));
    const globalBefore = await usage("all-jobs");
    await admit(request(30, { provider: "providers/gpu-cloud" }));
    expect((await usage("all-jobs")).reserved - globalBefore.reserved).toBeCloseTo(30, 6);
    expect(await usage("gpu-cloud")).toEqual({ spent: 0, reserved: 30 });

    const refused = request(30, { provider: "providers/gpu-cloud" });
    await expect(admit(refused)).rejects.toMatchObject({ reason: "BUDGET_EXCEEDED", metadata: { budget: "budgets/gpu-cloud" } });
    expect((await usage("all-jobs")).reserved - globalBefore.reserved).toBeCloseTo(30, 6);
    expect(await usage("gpu-cloud")).toEqual({ spent: 0, reserved: 30 });
    expect((await getSpendingSummary(ctx(), "all-jobs", undefined, 1000)).entries.some((e) => e.job === refused.job)).toBe(false);
  });

  it("sees jobs admitted earlier in the period when a budget is created mid-period, and ignores disabled budgets at admission", async () => {
    await admit(request(8, { service: "services/late" }));
    await createBudget(ctx(), deps, "late", budget({ scopeKind: "service", scopeTarget: "services/late", amountMicros: 10_000_000, enabled: false }));
    expect(await usage("late")).toEqual({ spent: 0, reserved: 8 });
    await admit(request(8, { service: "services/late" }));
    await updateBudget(ctx(), deps, "late", { enabled: true }, "");
    await expect(admit(request(1, { service: "services/late" }))).rejects.toMatchObject({ reason: "BUDGET_EXCEEDED" });
  });

  it("admits past a WARN budget with a warning written to the event log", async () => {
    await createBudget(ctx(), deps, "soft", budget({ scopeKind: "service", scopeTarget: "services/soft", amountMicros: 5_000_000, enforcement: "warn" }));
    const within = await admit(request(5, { service: "services/soft" }));
    expect(within.warnings).toEqual([]);
    const over = request(1, { service: "services/soft" });
    const result = await admit(over);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain("budgets/soft");
    expect(await usage("soft")).toEqual({ spent: 0, reserved: 6 });
    const events = await orm.em.fork().find(OutboxEventEntity, { type: "budget.budget.exceeded", resource: "budgets/soft" });
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({ trainingJob: over.job, enforcement: "WARN", amount: 5, reserved: 6, estimate: 1 });
  });

  it("raises each threshold once per period, with its event, and again in the next period", async () => {
    await createBudget(ctx(), deps, "alerts", budget({ scopeKind: "service", scopeTarget: "services/alerts", period: "daily", amountMicros: 10_000_000, enforcement: "warn", alertThresholds: [80, 50, 100] }));
    const jobs: string[] = [];
    for (const amount of [3, 3, 3, 0.5, 3]) {
      const r = request(amount, { service: "services/alerts" });
      jobs.push(r.job);
      await admit(r);
    }
    // 30 % → 60 % (50 fires) → 90 % (80 fires) → 95 % → 125 % (100 fires); a settlement back down and up fires nothing new.
    await settle(jobs[4]!, 0);
    await settle(jobs[4]!, 4);
    const page = await listBudgetAlerts(ctx(), "alerts", { pageSize: 0, pageToken: "", filter: "", orderBy: "threshold_percent" });
    expect(page.items.map((a) => [a.thresholdPercent, a.trainingJob])).toEqual([
      [50, jobs[1]],
      [80, jobs[2]],
      [100, jobs[4]],
    ]);
    expect(page.items[0]!.percentUsed).toBeCloseTo(60, 6);
    const events = await orm.em.fork().find(OutboxEventEntity, { type: "budget.budget_alert.created", resource: { $like: "budgets/alerts/alerts/%" } });
    expect(events).toHaveLength(3);

    const tomorrow = new Date(NOW.getTime() + 24 * 3600 * 1000);
    await admit(request(6, { service: "services/alerts" }), tomorrow);
    const next = await listBudgetAlerts(ctx(tomorrow), "alerts", { pageSize: 0, pageToken: "", filter: "threshold_percent = 50", orderBy: "" });
    expect(next.items).toHaveLength(2);
  });

  it("raises at once the alerts a lower amount reaches, and not those already raised", async () => {
    await createBudget(ctx(), deps, "lowered", budget({ scopeKind: "service", scopeTarget: "services/lowered", amountMicros: 100_000_000, alertThresholds: [50, 90] }));
    await admit(request(60, { service: "services/lowered" }));
    await updateBudget(ctx(), deps, "lowered", { amountMicros: 64_000_000 }, "");
    const page = await listBudgetAlerts(ctx(), "lowered", { pageSize: 0, pageToken: "", filter: "", orderBy: "threshold_percent" });
    expect(page.items.map((a) => [a.thresholdPercent, a.trainingJob])).toEqual([
      [50, expect.stringMatching(/^trainingJobs\//)],
      [90, ""],
    ]);
  });
});
