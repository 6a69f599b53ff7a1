import { AppError, invalidField } from "../platform/errors/app-error.js";
import { formatMicros } from "./money.js";

export const budgetNotFound = (name: string) => new AppError("not_found", "BUDGET_NOT_FOUND", `Budget ${name} does not exist.`, { name });

export const budgetAlreadyExists = (name: string) =>
  new AppError("already_exists", "BUDGET_ALREADY_EXISTS", `Budget ${name} already exists.`, { name });

export const currencyMismatch = (field: string, given: string, expected: string) =>
  new AppError("invalid_argument", "CURRENCY_MISMATCH", `${field}: ${given} is not the platform currency ${expected}.`, { field, currency: given, expected }, {
    fieldViolations: [{ field, description: `must be the platform currency ${expected}` }],
  });

export const unknownProvider = (field: string, provider: string) =>
  invalidField(field, `${provider} is not a provider this server knows`, "UNKNOWN_PROVIDER");

export const unknownTimeZone = (field: string, zone: string) => invalidField(field, `"${zone}" is not an IANA time zone`, "INVALID_TIME_ZONE");

export const jobAlreadyAdmitted = (job: string) =>
  new AppError("failed_precondition", "JOB_ALREADY_ADMITTED", `Training job ${job} already has a budget reservation.`, { name: job });

/** What one BLOCK budget would have reached had the job been admitted. */
export interface BlockedBudget {
  readonly name: string;
  readonly amountMicros: number;
  readonly spentMicros: number;
  readonly reservedMicros: number;
}

/**
 * RESOURCE_EXHAUSTED naming the first refusing budget in ErrorInfo metadata, and every refusing
 * budget in QuotaFailure.
 */
export function budgetExceeded(blocked: readonly BlockedBudget[], estimateMicros: number, currency: string): AppError {
  const first = blocked[0]!;
  const describe = (b: BlockedBudget) =>
    `${b.name} allows ${formatMicros(b.amountMicros)} ${currency}; ${formatMicros(b.spentMicros)} spent and ${formatMicros(b.reservedMicros)} reserved leave ` +
    `${formatMicros(b.amountMicros - b.spentMicros - b.reservedMicros)}, less than the estimate of ${formatMicros(estimateMicros)}`;
  return new AppError(
    "resource_exhausted",
    "BUDGET_EXCEEDED",
    `The job's estimated cost of ${formatMicros(estimateMicros)} ${currency} would exceed budget ${first.name}: ${describe(first)}.`,
    {
      budget: first.name,
      limit: formatMicros(first.amountMicros),
      spent: formatMicros(first.spentMicros),
      reserved: formatMicros(first.reservedMicros),
      estimate: formatMicros(estimateMicros),
      currency,
    },
    { quotaViolations: blocked.map((b) => ({ subject: b.name, description: `${describe(b)}.` })) },
  );
}
