import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { ABTestService } from "@artenic/gen/artenic/abtest/v1/abtest_service_pb";
import { AdminService } from "@artenic/gen/artenic/admin/v1/admin_service_pb";
import { BudgetService } from "@artenic/gen/artenic/budget/v1/budget_service_pb";
import { EnsembleService } from "@artenic/gen/artenic/ensemble/v1/ensemble_service_pb";
import { EventsService } from "@artenic/gen/artenic/events/v1/events_service_pb";
import { HealthService } from "@artenic/gen/artenic/health/v1/health_service_pb";
import { InferenceService } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { RegistryService } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import { TrainingService } from "@artenic/gen/artenic/training/v1/training_service_pb";

/** One typed client per Artenic service. */
export interface ArtenicClient {
  readonly registry: Client<typeof RegistryService>;
  readonly inference: Client<typeof InferenceService>;
  readonly abTests: Client<typeof ABTestService>;
  readonly ensembles: Client<typeof EnsembleService>;
  readonly health: Client<typeof HealthService>;
  readonly training: Client<typeof TrainingService>;
  readonly budgets: Client<typeof BudgetService>;
  readonly events: Client<typeof EventsService>;
  readonly admin: Client<typeof AdminService>;
}

export interface ArtenicClientOptions {
  /**
   * Any Connect transport: `createGrpcTransport` / `createConnectTransport` from
   * `@connectrpc/connect-node` in Node, `createConnectTransport` / `createGrpcWebTransport` from
   * `@connectrpc/connect-web` in browsers. Add `apiKeyInterceptor(key)` to its interceptors.
   */
  readonly transport: Transport;
}

/**
 * Creates the clients of every service over one transport.
 *
 * @example
 * const transport = createGrpcTransport({ baseUrl: "http://127.0.0.1:8080", interceptors: [apiKeyInterceptor(key)] });
 * const artenic = createArtenicClient({ transport });
 * const { models } = await artenic.registry.listModels({});
 */
export function createArtenicClient(options: ArtenicClientOptions): ArtenicClient {
  const t = options.transport;
  return {
    registry: createClient(RegistryService, t),
    inference: createClient(InferenceService, t),
    abTests: createClient(ABTestService, t),
    ensembles: createClient(EnsembleService, t),
    health: createClient(HealthService, t),
    training: createClient(TrainingService, t),
    budgets: createClient(BudgetService, t),
    events: createClient(EventsService, t),
    admin: createClient(AdminService, t),
  };
}

/** Sends `Authorization: Bearer <key>` on every call; works over gRPC, gRPC-Web and Connect. */
export function apiKeyInterceptor(apiKey: string): Interceptor {
  return (next) => (req) => {
    req.header.set("authorization", `Bearer ${apiKey}`);
    return next(req);
  };
}
