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

/**
 * The providers a PROVIDER-scoped budget may name when the wiring gives no list of its own: every
 * adapter the platform ships, configured or not (a budget may be set before its provider is).
 */
export const KNOWN_PROVIDER_IDS: readonly string[] = [
  "local",
  "kubernetes",
  "fake",
  "aws",
  "gcp",
  "azure",
  "oci",
  "ovh",
  "infomaniak",
  "hetzner",
  "scaleway",
  "lambda-labs",
  "runpod",
  "vastai",
  "coreweave",
];

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
  /** Provider ids (`aws`, not `providers/aws`) PROVIDER scopes may name. @default KNOWN_PROVIDER_IDS */
  readonly providerIds?: () => readonly string[];
}): BudgetModule {
  const webhooks = createWebhooksModule(deps);
  const providerIds = deps.providerIds ?? (() => KNOWN_PROVIDER_IDS);
  const handler = createBudgetServiceHandler({
    currency: deps.config.currency,
    isKnownProvider: (provider) => provider.startsWith("providers/") && providerIds().includes(provider.slice("providers/".length)),
    webhooks: webhooks.handler,
  });
  return { handler, webhookWorker: webhooks.worker };
}
