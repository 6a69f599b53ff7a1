import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  BudgetAlertSchema,
  BudgetEnforcement,
  BudgetPeriod,
  BudgetSchema,
  BudgetScopeKind,
  BudgetScopeSchema,
  ProviderSpendingSchema,
  SpendingEntrySchema,
  SpendingEntryState,
  SpendingSummarySchema,
  type Budget,
  type BudgetAlert,
  type SpendingSummary,
} from "@artenic/gen/artenic/budget/v1/budget_pb";
import { IntervalSchema, type Interval } from "@artenic/gen/google/type/interval_pb";
import { MoneySchema, type Money } from "@artenic/gen/google/type/money_pb";
import type { BudgetAlertEntity, SpendingEntryEntity } from "./budget.entity.js";
import type { BudgetInput, BudgetView, SpendingSummaryView } from "./budget.use-cases.js";
import { budgetAlertName, budgetName, type Enforcement, type ScopeKind } from "./budget-spending.js";
import type { Period, PeriodKind } from "./budget-period.js";
import { MICROS_PER_UNIT, percentUsed } from "./money.js";
import { etagOf } from "../platform/context.js";
import { invalidField } from "../platform/errors/app-error.js";

const ID = "[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?";

/** Parses `budgets/{budget}`; with `allowWildcard`, `budgets/-` gives undefined (every budget). */
export function parseBudgetName(name: string, field: string, allowWildcard = false): string | undefined {
  if (allowWildcard && name === "budgets/-") return undefined;
  const m = new RegExp(`^budgets/(${ID})$`).exec(name);
  if (!m) throw invalidField(field, `"${name}" is not a budget name (budgets/{budget})`, "INVALID_RESOURCE_NAME");
  return m[1]!;
}

const scopeKinds: Record<ScopeKind, BudgetScopeKind> = {
  global: BudgetScopeKind.GLOBAL,
  service: BudgetScopeKind.SERVICE,
  provider: BudgetScopeKind.PROVIDER,
  api_key: BudgetScopeKind.API_KEY,
};
const periods: Record<PeriodKind, BudgetPeriod> = { daily: BudgetPeriod.DAILY, weekly: BudgetPeriod.WEEKLY, monthly: BudgetPeriod.MONTHLY };
const enforcements: Record<Enforcement, BudgetEnforcement> = { block: BudgetEnforcement.BLOCK, warn: BudgetEnforcement.WARN };

function reverse<K extends string, V>(table: Record<K, V>, value: V, field: string): K {
  for (const [k, v] of Object.entries(table) as [K, V][]) if (v === value) return k;
  throw invalidField(field, "is required");
}

export const scopeKindFromProto = (v: BudgetScopeKind, field: string) => reverse(scopeKinds, v, field);
export const periodFromProto = (v: BudgetPeriod, field: string) => reverse(periods, v, field);
export const enforcementFromProto = (v: BudgetEnforcement, field: string) => reverse(enforcements, v, field);

/** google.type.Money → micro-units and currency; sub-micro fractions are rounded. */
export function moneyFromProto(money: Money): { amountMicros: number; currency: string } {
  return { amountMicros: Number(money.units) * MICROS_PER_UNIT + Math.round(money.nanos / 1000), currency: money.currencyCode };
}

/** Micro-units → google.type.Money, with units and nanos of the same sign as the proto requires. */
export function toMoney(micros: number, currency: string): Money {
  const units = Math.trunc(micros / MICROS_PER_UNIT);
  return create(MoneySchema, { currencyCode: currency, units: BigInt(units), nanos: (micros - units * MICROS_PER_UNIT) * 1000 });
}

export function toInterval(period: Period): Interval {
  return create(IntervalSchema, { startTime: timestampFromDate(period.start), endTime: timestampFromDate(period.end) });
}

/** The settings of a Budget message, for CreateBudget (checked by protovalidate already). */
export function budgetInputFromProto(b: Budget): BudgetInput {
  const money = moneyFromProto(b.amount!);
  return {
    displayName: b.displayName,
    description: b.description,
    labels: b.labels,
    scopeKind: scopeKindFromProto(b.scope!.kind, "budget.scope.kind"),
    scopeTarget: b.scope!.target,
    period: periodFromProto(b.period, "budget.period"),
    rolling: b.rolling,
    timeZone: b.timeZone,
    amountMicros: money.amountMicros,
    currency: money.currency,
    enforcement: enforcementFromProto(b.enforcement, "budget.enforcement"),
    alertThresholds: b.alertThresholds,
    enabled: b.enabled ?? true,
  };
}

export function toBudgetProto(view: BudgetView): Budget {
  const { budget: b, period, usage } = view;
  return create(BudgetSchema, {
    name: budgetName(b.id),
    displayName: b.displayName,
    description: b.description,
    labels: { ...b.labels },
    scope: create(BudgetScopeSchema, { kind: scopeKinds[b.scopeKind as ScopeKind], target: b.scopeTarget }),
    period: periods[b.period as PeriodKind],
    rolling: b.rolling,
    timeZone: b.timeZone,
    amount: toMoney(b.amountMicros, b.currency),
    enforcement: enforcements[b.enforcement as Enforcement],
    alertThresholds: [...b.alertThresholds],
    enabled: b.enabled,
    currentPeriod: toInterval(period),
    spent: toMoney(usage.spentMicros, b.currency),
    reserved: toMoney(usage.reservedMicros, b.currency),
    remaining: toMoney(b.amountMicros - usage.spentMicros - usage.reservedMicros, b.currency),
    percentUsed: percentUsed(b.amountMicros, usage.spentMicros, usage.reservedMicros),
    createTime: timestampFromDate(b.createTime),
    updateTime: timestampFromDate(b.updateTime),
    etag: etagOf(b.revision),
  });
}

export function toBudgetAlertProto(a: BudgetAlertEntity): BudgetAlert {
  const budgetId = (a.budget as unknown as { id: string }).id;
  return create(BudgetAlertSchema, {
    name: budgetAlertName(budgetId, a.id),
    thresholdPercent: a.thresholdPercent,
    percentUsed: a.percentUsed,
    amount: toMoney(a.amountMicros, a.currency),
    spent: toMoney(a.spentMicros, a.currency),
    reserved: toMoney(a.reservedMicros, a.currency),
    period: toInterval({ start: a.periodStart, end: a.periodEnd }),
    trainingJob: a.trainingJob,
    createTime: timestampFromDate(a.createTime),
  });
}

function toEntryProto(e: SpendingEntryEntity) {
  return create(SpendingEntrySchema, {
    trainingJob: e.job,
    provider: e.provider,
    service: e.service,
    creator: e.creator,
    state: e.state === "settled" ? SpendingEntryState.SETTLED : SpendingEntryState.RESERVED,
    amount: toMoney(e.amountMicros, e.currency),
    reservation: toMoney(e.reservationMicros, e.currency),
    createTime: timestampFromDate(e.createTime),
    settleTime: e.settleTime ? timestampFromDate(e.settleTime) : undefined,
  });
}

export function toSpendingSummaryProto(s: SpendingSummaryView): SpendingSummary {
  const currency = s.budget.currency;
  return create(SpendingSummarySchema, {
    budget: budgetName(s.budget.id),
    period: toInterval(s.period),
    amount: toMoney(s.budget.amountMicros, currency),
    spent: toMoney(s.usage.spentMicros, currency),
    reserved: toMoney(s.usage.reservedMicros, currency),
    remaining: toMoney(s.budget.amountMicros - s.usage.spentMicros - s.usage.reservedMicros, currency),
    percentUsed: percentUsed(s.budget.amountMicros, s.usage.spentMicros, s.usage.reservedMicros),
    byProvider: s.byProvider.map((p) =>
      create(ProviderSpendingSchema, { provider: p.provider, spent: toMoney(p.spentMicros, currency), reserved: toMoney(p.reservedMicros, currency), jobCount: p.jobCount }),
    ),
    entries: s.entries.map(toEntryProto),
    totalEntryCount: s.totalEntryCount,
  });
}
