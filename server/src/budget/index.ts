// The budget domain's public surface: the training domain admits and settles jobs through the
// BudgetGate port; the wiring registers the BudgetService handler.
import type { Logger } from "pino";
import type { Config } from "../platform/config/config.js";
import type { Orm } from "../platform/db/orm.js";
import { createWebhooksModule, type WebhooksModule } from "../webhooks/index.js";
import { createBudgetServiceHandler } from "./budget-service.handler.js";

export type { AdmissionResult, BudgetGate, SpendRequest } from "./budget-gate.js";
export { createBudgetGate, type BudgetGateOptions } from "./budget-admission.js";
export { createBudgetServiceHandler, type BudgetHandlerDeps } from "./budget-service.handler.js";

/** BudgetService and the webhook delivery worker of one server process. */
export interface BudgetModule {
  readonly handler: ReturnType<typeof createBudgetServiceHandler>;
  /** Delivers the event log to webhooks: start after serving, stop before the database closes. */
  readonly webhookWorker: WebhooksModule["worker"];
}

export function createBudgetModule(deps: {
  readonly config: Config;
  readonly orm: Orm;
  readonly secretsKey: Buffer;
  readonly logger: Logger;
  /**
   * Provider ids (`aws`, not `providers/aws`) PROVIDER scopes may name: every provider the platform
   * knows, configured or not (a budget may be set before its provider is). The training domain owns the list.
   */
  readonly providerIds: () => readonly string[];
}): BudgetModule {
  const webhooks = createWebhooksModule(deps);
  const { providerIds } = deps;
  const handler = createBudgetServiceHandler({
    currency: deps.config.currency,
    isKnownProvider: (provider) => provider.startsWith("providers/") && providerIds().includes(provider.slice("providers/".length)),
    webhooks: webhooks.handler,
  });
  return { handler, webhookWorker: webhooks.worker };
}
