import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initOrm, migrate, type Orm } from "../../platform/db/orm.js";
import { createBudgetGate } from "../../budget/index.js";
import { createBudget } from "../../budget/budget.use-cases.js";
import { SpendingEntryEntity } from "../../budget/budget.entity.js";
import { budgetPreviewFromGate } from "./provider-estimates.js";

describe("budgetPreviewFromGate against the budget domain's admission", () => {
  let orm: Orm;
  const now = new Date("2026-11-26T12:00:00Z");
  const ctx = () => ({ em: orm.em.fork(), actor: { name: "apiKeys/tester", requestId: "" }, now: () => now });
  const deps = { currency: "USD", isKnownProvider: () => true };
  const budget = (scopeKind: "global" | "provider", scopeTarget: string, dollars: number, enforcement: "block" | "warn") => ({
    displayName: "",
    description: "",
    labels: {},
    scopeKind,
    scopeTarget,
    period: "monthly" as const,
    rolling: false,
    timeZone: "UTC",
    amountMicros: dollars * 1_000_000,
    currency: "USD",
    enforcement,
    alertThresholds: [],
    enabled: true,
  });

  beforeAll(async () => {
    orm = await initOrm({ kind: "sqlite", path: ":memory:" });
    await migrate(orm);
    await createBudget(ctx(), deps, "all-spend", budget("global", "", 100, "block"));
    await createBudget(ctx(), deps, "aws-cap", budget("provider", "providers/aws", 10, "block"));
    await createBudget(ctx(), deps, "aws-soft", budget("provider", "providers/aws", 1, "warn"));
  });
  afterAll(async () => orm?.close());

  it("names every BLOCK budget that would refuse, ignores WARN budgets, and reserves nothing", async () => {
    const preview = budgetPreviewFromGate(createBudgetGate({ currency: "USD" }));
    const request = { provider: "providers/aws", service: "", apiKey: "apiKeys/tester", currency: "USD" };
    expect(await preview.blockingBudgets(orm.em.fork(), { ...request, amount: 5 }, now)).toEqual([]);
    expect(await preview.blockingBudgets(orm.em.fork(), { ...request, amount: 50 }, now)).toEqual(["budgets/aws-cap"]);
    expect((await preview.blockingBudgets(orm.em.fork(), { ...request, amount: 500 }, now)).sort()).toEqual(["budgets/all-spend", "budgets/aws-cap"]);
    expect(await preview.blockingBudgets(orm.em.fork(), { ...request, provider: "providers/gcp", amount: 50 }, now)).toEqual([]);
    expect(await orm.em.fork().count(SpendingEntryEntity, {})).toBe(0);
  });
});
