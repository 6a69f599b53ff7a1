import { raw, type EntityManager, type FilterQuery } from "@mikro-orm/core";
import { PostgreSqlPlatform } from "@mikro-orm/postgresql";
import type { SqlEntityManager } from "@mikro-orm/sql";
import { randomBytes } from "node:crypto";
import { BudgetAlertEntity, BudgetEntity, SpendingEntryEntity } from "./budget.entity.js";
import { periodAt, rollingWindowMs, type Period, type PeriodKind, type PeriodSettings } from "./budget-period.js";
import { formatMicros, microsToUnits, percentUsed } from "./money.js";
import { recordEvent, type Actor } from "../platform/outbox/outbox.js";

export type ScopeKind = "global" | "service" | "provider" | "api_key";
export type Enforcement = "block" | "warn";

export const budgetName = (id: string) => `budgets/${id}`;
export const budgetAlertName = (budgetId: string, alertId: string) => `budgets/${budgetId}/alerts/${alertId}`;

/** The settled and reserved totals of one budget's scope in one period, in micro-units. */
export interface Usage {
  readonly spentMicros: number;
  readonly reservedMicros: number;
}

/** What a job is, for matching budget scopes. */
export interface JobScope {
  readonly provider: string;
  readonly service: string;
  readonly creator: string;
}

export function periodSettings(b: BudgetEntity): PeriodSettings {
  return { period: b.period as PeriodKind, rolling: b.rolling, timeZone: b.timeZone };
}

/** The spending entries a budget's scope covers, as a filter. */
export function scopeFilter(kind: string, target: string): FilterQuery<SpendingEntryEntity> {
  switch (kind as ScopeKind) {
    case "service":
      return { service: target };
    case "provider":
      return { provider: target };
    case "api_key":
      return { creator: target };
    default:
      return {};
  }
}

/** The budgets whose scope covers a job, enabled or not (the caller filters). */
export function budgetsCovering(job: JobScope): FilterQuery<BudgetEntity> {
  const alternatives: FilterQuery<BudgetEntity>[] = [{ scopeKind: "global" }, { scopeKind: "provider", scopeTarget: job.provider }, { scopeKind: "api_key", scopeTarget: job.creator }];
  if (job.service !== "") alternatives.push({ scopeKind: "service", scopeTarget: job.service });
  return { $or: alternatives };
}

interface TotalRow {
  readonly state: string;
  readonly total: number | string | null;
}

/** Sums the entries of a scope admitted in `period`, split into settled and reserved. */
export async function usageOf(em: EntityManager, scopeKind: string, scopeTarget: string, period: Period): Promise<Usage> {
  const rows = await (em as SqlEntityManager)
    .createQueryBuilder(SpendingEntryEntity)
    .select(["state", raw("sum(amount_micros) as total")])
    .where({ $and: [{ createTime: { $gte: period.start, $lt: period.end } }, scopeFilter(scopeKind, scopeTarget)] } as never)
    .groupBy("state")
    .execute<TotalRow[]>("all", false);
  let spentMicros = 0;
  let reservedMicros = 0;
  for (const r of rows) {
    // PostgreSQL sums bigint into numeric, which its driver returns as text.
    const total = Number(r.total ?? 0);
    if (r.state === "settled") spentMicros += total;
    else reservedMicros += total;
  }
  return { spentMicros, reservedMicros };
}

// The transaction-level advisory lock that server/src/events/outbox-commit-hooks.ts takes on
// PostgreSQL in every transaction that writes events, from its first event insert to its commit.
// Budget writers take it before any budget row lock, so the two locks are always acquired in the
// same order: a transaction that wrote an event before admitting a job (holding this lock) and an
// admission that already holds a budget row and then writes its event could otherwise deadlock.
// budget-spending.test.ts checks that the value still matches the events module's.
export const OUTBOX_LOCK_KEY = "6197114116101110";

/**
 * Serializes budget changes: on PostgreSQL first the event log's advisory lock (see above), then a
 * no-op update of each budget row in id order, which takes PostgreSQL's row lock, or SQLite's write
 * lock, until the transaction ends. Concurrent admissions touching the same budget therefore sum
 * its spending one after another and can never overspend. Returns the budgets re-read after the
 * locks, so their settings are the latest committed ones.
 */
export async function lockBudgets(em: EntityManager, ids: readonly string[]): Promise<BudgetEntity[]> {
  const trx = em.getTransactionContext();
  if (em.getPlatform() instanceof PostgreSqlPlatform) {
    await em.getConnection("write").execute(`select pg_advisory_xact_lock(${OUTBOX_LOCK_KEY})`, [], "all", trx);
  }
  const sorted = [...new Set(ids)].sort();
  for (const id of sorted) {
    await em.getConnection("write").execute("update budget set revision = revision where id = ?", [id], "run", trx);
  }
  if (sorted.length === 0) return [];
  const budgets = await em.find(BudgetEntity, { id: { $in: sorted } }, { refresh: true });
  return budgets.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The period of a budget that an admission at `admitTime` counts in, as seen at `now`. */
export function chargedPeriod(b: BudgetEntity, admitTime: Date, now: Date): Period | undefined {
  if (!b.rolling) return periodAt(periodSettings(b), admitTime);
  const window = periodAt(periodSettings(b), now);
  return admitTime >= window.start && admitTime < window.end ? window : undefined;
}

function newAlertId(now: Date): string {
  // Time first, so ids sort roughly by creation; 8 random bytes keep concurrent ids apart.
  return `a${now.getTime().toString(36)}${randomBytes(8).toString("hex")}`;
}

/**
 * Raises the alerts of the thresholds that `usage` reaches in `period` and that have not fired in
 * that period yet (for a rolling budget: within the last window length), each with its event. The
 * caller holds the budget's lock, so two transactions cannot both raise the same threshold.
 */
export async function raiseAlerts(
  em: EntityManager,
  actor: Actor,
  budget: BudgetEntity,
  period: Period,
  usage: Usage,
  trainingJob: string,
  now: Date,
): Promise<BudgetAlertEntity[]> {
  if (!budget.enabled) return [];
  const percent = percentUsed(budget.amountMicros, usage.spentMicros, usage.reservedMicros);
  const reached = budget.alertThresholds.filter((t) => percent >= t);
  if (reached.length === 0) return [];
  const earlier = await em.find(
    BudgetAlertEntity,
    budget.rolling
      ? { budget: budget.id, thresholdPercent: { $in: reached }, createTime: { $gt: new Date(now.getTime() - rollingWindowMs(budget.period as PeriodKind)) } }
      : { budget: budget.id, thresholdPercent: { $in: reached }, periodStart: period.start },
  );
  const fired = new Set(earlier.map((a) => a.thresholdPercent));
  const alerts: BudgetAlertEntity[] = [];
  for (const threshold of reached) {
    if (fired.has(threshold)) continue;
    const alert = em.create(BudgetAlertEntity, {
      id: newAlertId(now),
      budget,
      thresholdPercent: threshold,
      percentUsed: percent,
      amountMicros: budget.amountMicros,
      spentMicros: usage.spentMicros,
      reservedMicros: usage.reservedMicros,
      currency: budget.currency,
      periodStart: period.start,
      periodEnd: period.end,
      trainingJob,
      createTime: now,
    });
    recordEvent(
      em,
      actor,
      {
        topic: "budget",
        type: "budget.budget_alert.created",
        resource: budgetAlertName(budget.id, alert.id),
        data: {
          budget: budgetName(budget.id),
          thresholdPercent: threshold,
          percentUsed: percent,
          amount: microsToUnits(budget.amountMicros),
          spent: microsToUnits(usage.spentMicros),
          reserved: microsToUnits(usage.reservedMicros),
          currency: budget.currency,
          periodStart: period.start.toISOString(),
          periodEnd: period.end.toISOString(),
          trainingJob,
          message: `Budget ${budgetName(budget.id)} reached ${threshold}% of ${formatMicros(budget.amountMicros)} ${budget.currency} (${percent.toFixed(1)}% used).`,
        },
      },
      now,
    );
    alerts.push(alert);
  }
  return alerts;
}
