import type { EntityManager } from "@mikro-orm/core";

/**
 * The port through which the training domain asks for money before it starts compute. The budget
 * domain implements it; both run in the caller's transaction so a refused job writes nothing.
 */
export interface SpendRequest {
  /** `trainingJobs/{id}`: the reservation's owner, settled or released later. */
  readonly job: string;
  /** `providers/{id}`. */
  readonly provider: string;
  /** `services/{id}` when the job is on behalf of a service, else "". */
  readonly service: string;
  /** `apiKeys/{id}` of the caller. */
  readonly apiKey: string;
  /** The estimate to reserve, in the platform currency. */
  readonly amount: number;
  readonly currency: string;
}

export interface AdmissionResult {
  /** Warnings from WARN budgets that would be exceeded (the job is admitted anyway). */
  readonly warnings: readonly string[];
}

export interface BudgetGate {
  /**
   * Checks every enabled budget whose scope matches the request (global, the service, the
   * provider, the API key) against its spent + reserved amounts for the current period, and
   * reserves `amount` in all of them atomically. A BLOCK budget that would be exceeded throws
   * AppError("resource_exhausted", "BUDGET_EXCEEDED") naming the budget, its limit, spent and
   * reserved; nothing is reserved then. Concurrent admissions can never overspend.
   */
  admit(em: EntityManager, request: SpendRequest, now: Date): Promise<AdmissionResult>;
  /** Replaces the job's reservation with its actual cost (or releases it when `actual` is 0). */
  settle(em: EntityManager, job: string, actual: number, now: Date): Promise<void>;
}
