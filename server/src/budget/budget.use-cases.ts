import type { EntityManager } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { raw } from "@mikro-orm/core";
import { BudgetAlertEntity, BudgetEntity, SpendingEntryEntity } from "./budget.entity.js";
import { budgetAlreadyExists, budgetNotFound, currencyMismatch, unknownProvider, unknownTimeZone } from "./budget.errors.js";
import { isKnownTimeZone, periodAt, type Period, type PeriodKind } from "./budget-period.js";
import { budgetName, lockBudgets, periodSettings, raiseAlerts, scopeFilter, usageOf, type Enforcement, type ScopeKind, type Usage } from "./budget-spending.js";
import { checkEtag, type UseCaseContext } from "../platform/context.js";
import { invalidField } from "../platform/errors/app-error.js";
import { recordEvent } from "../platform/outbox/outbox.js";
import { listPage, type ListRequestLike, type ListSpec, type Page } from "../platform/query/list-query.js";
import { microsToUnits } from "./money.js";

/** What the budget use cases need from the server's configuration. */
export interface BudgetDeps {
  /** The platform currency; budgets in another are refused. */
  readonly currency: string;
  /** Whether `providers/{id}` names a provider this server knows (configured or not). */
  readonly isKnownProvider: (provider: string) => boolean;
}

/** A budget's settings as the caller gives them (amounts already in micro-units). */
export interface BudgetInput {
  readonly displayName: string;
  readonly description: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly scopeKind: ScopeKind;
  readonly scopeTarget: string;
  readonly period: PeriodKind;
  readonly rolling: boolean;
  readonly timeZone: string;
  readonly amountMicros: number;
  readonly currency: string;
  readonly enforcement: Enforcement;
  readonly alertThresholds: readonly number[];
  readonly enabled: boolean;
}

export type BudgetChanges = Partial<Omit<BudgetInput, "scopeKind" | "scopeTarget">>;

/** A budget with its spending in the current period, as every read returns it. */
export interface BudgetView {
  readonly budget: BudgetEntity;
  readonly period: Period;
  readonly usage: Usage;
}

function checkSettings(deps: BudgetDeps, input: Partial<BudgetInput>, prefix: string): void {
  if (input.currency !== undefined && input.currency !== deps.currency) throw currencyMismatch(`${prefix}.amount.currency_code`, input.currency, deps.currency);
  if (input.amountMicros !== undefined && input.amountMicros <= 0) throw invalidField(`${prefix}.amount`, "must be at least 0.000001 after rounding to micro-units");
  if (input.timeZone !== undefined && !isKnownTimeZone(input.timeZone)) throw unknownTimeZone(`${prefix}.time_zone`, input.timeZone);
  if (input.scopeKind === "provider" && input.scopeTarget !== undefined && !deps.isKnownProvider(input.scopeTarget)) {
    throw unknownProvider(`${prefix}.scope.target`, input.scopeTarget);
  }
}

function eventData(b: BudgetEntity): Record<string, unknown> {
  return {
    displayName: b.displayName,
    scope: { kind: b.scopeKind.toUpperCase(), target: b.scopeTarget },
    period: b.period.toUpperCase(),
    rolling: b.rolling,
    timeZone: b.timeZone,
    amount: microsToUnits(b.amountMicros),
    currency: b.currency,
    enforcement: b.enforcement.toUpperCase(),
    alertThresholds: [...b.alertThresholds],
    enabled: b.enabled,
  };
}

function sortedThresholds(thresholds: readonly number[]): number[] {
  return [...new Set(thresholds)].sort((a, b) => a - b);
}

/** Reads a budget's current period and spending. */
export async function viewBudget(em: EntityManager, budget: BudgetEntity, now: Date): Promise<BudgetView> {
  const period = periodAt(periodSettings(budget), now);
  return { budget, period, usage: await usageOf(em, budget.scopeKind, budget.scopeTarget, period) };
}

/** Raises, at once, the alerts a budget's current spending already reaches (after a create or an update). */
async function raiseCurrentAlerts(em: EntityManager, ctx: UseCaseContext, budget: BudgetEntity): Promise<void> {
  const now = ctx.now();
  const view = await viewBudget(em, budget, now);
  await raiseAlerts(em, ctx.actor, budget, view.period, view.usage, "", now);
}

export async function createBudget(ctx: UseCaseContext, deps: BudgetDeps, id: string, input: BudgetInput): Promise<BudgetView> {
  checkSettings(deps, input, "budget");
  return ctx.em.transactional(async (em) => {
    if (await em.count(BudgetEntity, { id })) throw budgetAlreadyExists(budgetName(id));
    const now = ctx.now();
    const budget = em.create(BudgetEntity, {
      id,
      displayName: input.displayName,
      description: input.description,
      labels: { ...input.labels },
      scopeKind: input.scopeKind,
      scopeTarget: input.scopeTarget,
      period: input.period,
      rolling: input.rolling,
      timeZone: input.timeZone,
      amountMicros: input.amountMicros,
      currency: input.currency,
      enforcement: input.enforcement,
      alertThresholds: sortedThresholds(input.alertThresholds),
      enabled: input.enabled,
      createTime: now,
      updateTime: now,
    });
    recordEvent(em, ctx.actor, { topic: "budget", type: "budget.budget.created", resource: budgetName(id), data: eventData(budget) }, now);
    await em.flush();
    // Under the budget's lock, like admissions: a concurrent admission cannot raise the same alert.
    await lockBudgets(em, [id]);
    await raiseCurrentAlerts(em, ctx, budget);
    await em.flush();
    return viewBudget(em, budget, now);
  });
}

export async function findBudget(em: EntityManager, id: string): Promise<BudgetEntity> {
  const budget = await em.findOne(BudgetEntity, { id });
  if (!budget) throw budgetNotFound(budgetName(id));
  return budget;
}

export async function getBudget(ctx: UseCaseContext, id: string): Promise<BudgetView> {
  return viewBudget(ctx.em, await findBudget(ctx.em, id), ctx.now());
}

const enumValues = (values: Record<string, string>, prefix: string) =>
  Object.fromEntries(Object.entries(values).flatMap(([k, v]) => [[k, v], [`${prefix}${k}`, v]]));

const budgetListSpec: ListSpec = {
  fields: {
    "scope.kind": { prop: "scopeKind", type: "string", values: enumValues({ GLOBAL: "global", SERVICE: "service", PROVIDER: "provider", API_KEY: "api_key" }, "BUDGET_SCOPE_KIND_") },
    "scope.target": { prop: "scopeTarget", type: "string" },
    period: { prop: "period", type: "string", values: enumValues({ DAILY: "daily", WEEKLY: "weekly", MONTHLY: "monthly" }, "BUDGET_PERIOD_") },
    rolling: { prop: "rolling", type: "bool" },
    enforcement: { prop: "enforcement", type: "string", values: enumValues({ BLOCK: "block", WARN: "warn" }, "BUDGET_ENFORCEMENT_") },
    enabled: { prop: "enabled", type: "bool" },
    create_time: { prop: "createTime", type: "timestamp" },
    update_time: { prop: "updateTime", type: "timestamp" },
    display_name: { prop: "displayName", type: "string" },
  },
  maps: { labels: { prop: "labels", type: "string" } },
  defaultOrder: "create_time desc",
  idProp: "id",
};

export async function listBudgets(ctx: UseCaseContext, request: ListRequestLike): Promise<Page<BudgetView>> {
  const page = await listPage(ctx.em, BudgetEntity, budgetListSpec, request);
  const now = ctx.now();
  const items: BudgetView[] = [];
  for (const b of page.items) items.push(await viewBudget(ctx.em, b, now));
  return { items, nextPageToken: page.nextPageToken, totalSize: page.totalSize };
}

export async function updateBudget(ctx: UseCaseContext, deps: BudgetDeps, id: string, changes: BudgetChanges, etag: string): Promise<BudgetView> {
  checkSettings(deps, changes, "budget");
  return ctx.em.transactional(async (em) => {
    const [budget] = await lockBudgets(em, [id]);
    if (!budget) throw budgetNotFound(budgetName(id));
    checkEtag(etag, budget.revision, budgetName(id));
    const now = ctx.now();
    if (changes.displayName !== undefined) budget.displayName = changes.displayName;
    if (changes.description !== undefined) budget.description = changes.description;
    if (changes.labels !== undefined) budget.labels = { ...changes.labels };
    if (changes.period !== undefined) budget.period = changes.period;
    if (changes.rolling !== undefined) budget.rolling = changes.rolling;
    if (changes.timeZone !== undefined) budget.timeZone = changes.timeZone;
    if (changes.amountMicros !== undefined) budget.amountMicros = changes.amountMicros;
    if (changes.currency !== undefined) budget.currency = changes.currency;
    if (changes.enforcement !== undefined) budget.enforcement = changes.enforcement;
    if (changes.alertThresholds !== undefined) budget.alertThresholds = sortedThresholds(changes.alertThresholds);
    if (changes.enabled !== undefined) budget.enabled = changes.enabled;
    budget.updateTime = now;
    recordEvent(em, ctx.actor, { topic: "budget", type: "budget.budget.updated", resource: budgetName(id), data: eventData(budget) }, now);
    await em.flush();
    // A lower amount or new thresholds may be reached already; thresholds that fired in this
    // period stay quiet.
    await raiseCurrentAlerts(em, ctx, budget);
    await em.flush();
    return viewBudget(em, budget, now);
  });
}

export async function deleteBudget(ctx: UseCaseContext, id: string, etag: string): Promise<void> {
  await ctx.em.transactional(async (em) => {
    const [budget] = await lockBudgets(em, [id]);
    if (!budget) throw budgetNotFound(budgetName(id));
    checkEtag(etag, budget.revision, budgetName(id));
    await em.nativeDelete(BudgetAlertEntity, { budget: id });
    em.remove(budget);
    recordEvent(em, ctx.actor, { topic: "budget", type: "budget.budget.deleted", resource: budgetName(id), data: {} }, ctx.now());
    await em.flush();
  });
}

/** One provider's share of a summary. */
export interface ProviderShare extends Usage {
  readonly provider: string;
  readonly jobCount: number;
}

export interface SpendingSummaryView {
  readonly budget: BudgetEntity;
  readonly period: Period;
  readonly usage: Usage;
  readonly byProvider: readonly ProviderShare[];
  readonly entries: readonly SpendingEntryEntity[];
  readonly totalEntryCount: number;
}

interface ProviderRow {
  readonly provider: string;
  readonly state: string;
  readonly total: number | string | null;
  readonly jobs: number | string;
}

export async function getSpendingSummary(ctx: UseCaseContext, id: string, periodTime: Date | undefined, entryLimit: number): Promise<SpendingSummaryView> {
  const { em } = ctx;
  const budget = await findBudget(em, id);
  const period = periodAt(periodSettings(budget), periodTime ?? ctx.now());
  const where = { $and: [{ createTime: { $gte: period.start, $lt: period.end } }, scopeFilter(budget.scopeKind, budget.scopeTarget)] };
  const rows = await (em as SqlEntityManager)
    .createQueryBuilder(SpendingEntryEntity)
    .select(["provider", "state", raw("sum(amount_micros) as total"), raw("count(*) as jobs")])
    .where(where as never)
    .groupBy(["provider", "state"])
    .execute<ProviderRow[]>("all", false);
  const shares = new Map<string, { spentMicros: number; reservedMicros: number; jobCount: number }>();
  for (const r of rows) {
    const share = shares.get(r.provider) ?? { spentMicros: 0, reservedMicros: 0, jobCount: 0 };
    if (r.state === "settled") share.spentMicros += Number(r.total ?? 0);
    else share.reservedMicros += Number(r.total ?? 0);
    share.jobCount += Number(r.jobs);
    shares.set(r.provider, share);
  }
  const byProvider = [...shares.entries()]
    .map(([provider, s]) => ({ provider, ...s }))
    .sort((a, b) => b.spentMicros + b.reservedMicros - (a.spentMicros + a.reservedMicros) || (a.provider < b.provider ? -1 : 1));
  const usage = byProvider.reduce((acc, s) => ({ spentMicros: acc.spentMicros + s.spentMicros, reservedMicros: acc.reservedMicros + s.reservedMicros }), {
    spentMicros: 0,
    reservedMicros: 0,
  });
  const totalEntryCount = byProvider.reduce((n, s) => n + s.jobCount, 0);
  const entries = await em.find(SpendingEntryEntity, where as never, { orderBy: { createTime: "desc", id: "desc" }, limit: entryLimit === 0 ? 100 : entryLimit });
  return { budget, period, usage, byProvider, entries, totalEntryCount };
}

const alertListSpec: ListSpec = {
  fields: {
    threshold_percent: { prop: "thresholdPercent", type: "number" },
    percent_used: { prop: "percentUsed", type: "number" },
    training_job: { prop: "trainingJob", type: "string" },
    create_time: { prop: "createTime", type: "timestamp" },
  },
  defaultOrder: "create_time desc",
  idProp: "id",
};

/** Lists the alerts of one budget, or of every budget when `budgetId` is undefined (`budgets/-`). */
export async function listBudgetAlerts(ctx: UseCaseContext, budgetId: string | undefined, request: ListRequestLike): Promise<Page<BudgetAlertEntity>> {
  if (budgetId !== undefined) await findBudget(ctx.em, budgetId);
  return listPage(ctx.em, BudgetAlertEntity, alertListSpec, request, budgetId === undefined ? {} : { budget: budgetId }, { scopeKey: budgetId ?? "-" });
}
