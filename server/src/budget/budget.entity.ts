import { defineEntity, p } from "@mikro-orm/core";

/**
 * A budget: a cap on training spend for one scope over a period. Amounts are integer micro-units
 * (1e-6) of the platform currency, so sums are exact: a budget of 0.3 admits three jobs of 0.1.
 * Spending is not stored here; it is summed from the spending entries of matching jobs.
 */
export const BudgetEntitySchema = defineEntity({
  name: "Budget",
  tableName: "budget",
  properties: {
    id: p.string().length(63).primary(),
    displayName: p.string().length(128),
    description: p.text(),
    labels: p.json<Record<string, string>>(),
    /** `global`, `service`, `provider` or `api_key`. Immutable. */
    scopeKind: p.string().length(16),
    /** Empty for global; else the resource name the scope is about. Immutable. */
    scopeTarget: p.string().length(128),
    /** `daily`, `weekly` or `monthly`. */
    period: p.string().length(16),
    rolling: p.boolean(),
    /** IANA zone of calendar periods; empty means UTC. */
    timeZone: p.string().length(64),
    amountMicros: p.bigint("number"),
    currency: p.string().length(3),
    /** `block` or `warn`. */
    enforcement: p.string().length(8),
    /** Percentages of the amount, ascending. */
    alertThresholds: p.json<number[]>(),
    enabled: p.boolean(),
    createTime: p.datetime().index(),
    updateTime: p.datetime(),
    /** Optimistic lock, exposed as `etag`; admissions lock the row without changing it. */
    revision: p.integer().version(),
  },
  indexes: [{ properties: ["scopeKind", "scopeTarget"] }],
});
export class BudgetEntity extends BudgetEntitySchema.class {}
BudgetEntitySchema.setClass(BudgetEntity);

/**
 * One training job's charge, written when the job is admitted and settled when it ends. It is not
 * tied to a budget: every budget whose scope matches the job's provider, service or creator counts
 * it in the period that contains `createTime`, so a budget created or re-enabled mid-period sees
 * jobs admitted before it. Entries outlive their jobs.
 */
export const SpendingEntryEntitySchema = defineEntity({
  name: "SpendingEntry",
  tableName: "spending_entry",
  properties: {
    id: p.integer().primary().autoincrement(),
    /** `trainingJobs/{training_job}`. */
    job: p.string().length(128).unique(),
    /** `providers/{provider}`. */
    provider: p.string().length(128).index(),
    /** `services/{service}` or empty. */
    service: p.string().length(128).index(),
    /** `apiKeys/{api_key}` of the key that created the job (of the original job, for retries). */
    creator: p.string().length(128).index(),
    /** `reserved` or `settled`. */
    state: p.string().length(16),
    /** What counts now: the reservation while reserved, the actual cost once settled. */
    amountMicros: p.bigint("number"),
    /** The reservation made at admission, kept after settlement. */
    reservationMicros: p.bigint("number"),
    currency: p.string().length(3),
    /** The admission time: the job counts in the period that contains it. */
    createTime: p.datetime().index(),
    settleTime: p.datetime().nullable(),
  },
});
export class SpendingEntryEntity extends SpendingEntryEntitySchema.class {}
SpendingEntryEntitySchema.setClass(SpendingEntryEntity);

/**
 * A threshold of a budget that was reached in one period. The unique key makes each threshold fire
 * at most once per calendar period; rolling windows are checked by time (see budget-alerts.ts).
 */
export const BudgetAlertEntitySchema = defineEntity({
  name: "BudgetAlert",
  tableName: "budget_alert",
  properties: {
    id: p.string().length(63).primary(),
    budget: () => p.manyToOne(BudgetEntity).deleteRule("cascade"),
    thresholdPercent: p.double().runtimeType("number").$type<number>(),
    percentUsed: p.double().runtimeType("number").$type<number>(),
    amountMicros: p.bigint("number"),
    spentMicros: p.bigint("number"),
    reservedMicros: p.bigint("number"),
    currency: p.string().length(3),
    periodStart: p.datetime(),
    periodEnd: p.datetime(),
    /** `trainingJobs/{training_job}`, or empty when a settings change crossed the threshold. */
    trainingJob: p.string().length(128),
    createTime: p.datetime().index(),
  },
  uniques: [{ properties: ["budget", "periodStart", "thresholdPercent"] }],
  indexes: [{ properties: ["budget", "createTime"] }],
});
export class BudgetAlertEntity extends BudgetAlertEntitySchema.class {}
BudgetAlertEntitySchema.setClass(BudgetAlertEntity);
