import type { EntityManager } from "@mikro-orm/core";
import { BudgetEntity, SpendingEntryEntity } from "./budget.entity.js";
import type { AdmissionResult, BudgetGate, SpendRequest } from "./budget-gate.js";
import { budgetExceeded, currencyMismatch, jobAlreadyAdmitted, type BlockedBudget } from "./budget.errors.js";
import { budgetName, budgetsCovering, chargedPeriod, lockBudgets, periodSettings, raiseAlerts, usageOf, type JobScope } from "./budget-spending.js";
import { periodAt } from "./budget-period.js";
import { formatMicros, microsToUnits, unitsToMicros } from "./money.js";
import { invalidField } from "../platform/errors/app-error.js";
import { recordEvent, SYSTEM_ACTOR, type Actor } from "../platform/outbox/outbox.js";

export interface BudgetGateOptions {
  /** The platform currency (Config.currency); a request in another currency is refused. */
  readonly currency: string;
}

/**
 * The budget domain's implementation of the training domain's admission port. Both methods run in
 * the caller's transaction (`em` must be the transaction's EntityManager) and write through it, so
 * the reservation, its alerts and warnings commit or roll back with the job.
 *
 * Serialization: every budget covering the job is locked in id order before its spending is summed
 * (see `lockBudgets`), so N concurrent admissions against one budget are checked one after another
 * on SQLite and on PostgreSQL, and the sum each sees includes every earlier admission.
 */
export function createBudgetGate(options: BudgetGateOptions): BudgetGate {
  // The locks only serialize inside a transaction: a caller without one gets one of its own.
  const inTransaction = <T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>) => (em.isInTransaction() ? work(em) : em.transactional(work));
  return {
    admit: (em, request, now) => inTransaction(em, (tx) => admit(tx, options, request, now)),
    settle: (em, job, actual, now) => inTransaction(em, (tx) => settle(tx, job, actual, now)),
  };
}

async function coveringBudgets(em: EntityManager, scope: JobScope): Promise<BudgetEntity[]> {
  const candidates = await em.find(BudgetEntity, budgetsCovering(scope), { fields: ["id"] as never, disableIdentityMap: true });
  return (await lockBudgets(em, candidates.map((b) => b.id))).filter((b) => b.enabled);
}

async function admit(em: EntityManager, options: BudgetGateOptions, request: SpendRequest, now: Date): Promise<AdmissionResult> {
  if (request.currency !== options.currency) throw currencyMismatch("currency", request.currency, options.currency);
  if (!Number.isFinite(request.amount) || request.amount < 0) throw invalidField("amount", "must be a finite amount of at least 0");
  const estimate = unitsToMicros(request.amount);
  const actor: Actor = { name: request.apiKey || "system", requestId: "" };
  const scope: JobScope = { provider: request.provider, service: request.service, creator: request.apiKey };
  if (await em.count(SpendingEntryEntity, { job: request.job })) throw jobAlreadyAdmitted(request.job);
  const budgets = await coveringBudgets(em, scope);

  const checked = [];
  for (const budget of budgets) {
    const period = periodAt(periodSettings(budget), now);
    const usage = await usageOf(em, budget.scopeKind, budget.scopeTarget, period);
    const exceeded = usage.spentMicros + usage.reservedMicros + estimate > budget.amountMicros;
    checked.push({ budget, period, usage, exceeded });
  }
  const blocked: BlockedBudget[] = checked
    .filter((c) => c.exceeded && c.budget.enforcement === "block")
    .map((c) => ({ name: budgetName(c.budget.id), amountMicros: c.budget.amountMicros, spentMicros: c.usage.spentMicros, reservedMicros: c.usage.reservedMicros }));
  // Refused: nothing was written, so the caller may try another placement in the same transaction.
  if (blocked.length > 0) throw budgetExceeded(blocked, estimate, options.currency);

  em.create(SpendingEntryEntity, {
    job: request.job,
    provider: request.provider,
    service: request.service,
    creator: request.apiKey,
    state: "reserved",
    amountMicros: estimate,
    reservationMicros: estimate,
    currency: options.currency,
    createTime: now,
    settleTime: null,
  });
  const warnings: string[] = [];
  for (const { budget, period, usage, exceeded } of checked) {
    const after = { spentMicros: usage.spentMicros, reservedMicros: usage.reservedMicros + estimate };
    if (exceeded) {
      const name = budgetName(budget.id);
      const warning =
        `Budget ${name} is exceeded: ${formatMicros(after.spentMicros + after.reservedMicros)} of ${formatMicros(budget.amountMicros)} ${budget.currency} ` +
        `spent or reserved with this job; it is admitted because the budget only warns.`;
      warnings.push(warning);
      recordEvent(
        em,
        actor,
        {
          topic: "budget",
          type: "budget.budget.exceeded",
          resource: name,
          data: {
            trainingJob: request.job,
            enforcement: "WARN",
            amount: microsToUnits(budget.amountMicros),
            spent: microsToUnits(after.spentMicros),
            reserved: microsToUnits(after.reservedMicros),
            estimate: microsToUnits(estimate),
            currency: budget.currency,
            message: warning,
          },
        },
        now,
      );
    }
    await raiseAlerts(em, actor, budget, period, after, request.job, now);
  }
  await em.flush();
  return { warnings };
}

async function settle(em: EntityManager, job: string, actual: number, now: Date): Promise<void> {
  if (!Number.isFinite(actual) || actual < 0) throw invalidField("actual", "must be a finite amount of at least 0");
  const entry = await em.findOne(SpendingEntryEntity, { job });
  // A job admitted before budgets existed in this database (or never admitted) has nothing to settle.
  if (!entry) return;
  const budgets = await coveringBudgets(em, { provider: entry.provider, service: entry.service, creator: entry.creator });
  entry.state = "settled";
  entry.amountMicros = unitsToMicros(actual);
  entry.settleTime = now;
  await em.flush();
  // Settling above the estimate can reach thresholds in the period the job was admitted in.
  for (const budget of budgets) {
    const period = chargedPeriod(budget, entry.createTime, now);
    if (!period) continue;
    const usage = await usageOf(em, budget.scopeKind, budget.scopeTarget, period);
    await raiseAlerts(em, SYSTEM_ACTOR, budget, period, usage, job, now);
  }
  await em.flush();
}
