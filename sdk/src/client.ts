import { createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import type { DescService, MessageInitShape } from "@bufbuild/protobuf";
import { ABTestService } from "@artenic/gen/artenic/abtest/v1/abtest_service_pb";
import { AdminService } from "@artenic/gen/artenic/admin/v1/admin_service_pb";
import { BudgetService } from "@artenic/gen/artenic/budget/v1/budget_service_pb";
import { EnsembleService } from "@artenic/gen/artenic/ensemble/v1/ensemble_service_pb";
import { EventsService, type SubscribeRequestSchema } from "@artenic/gen/artenic/events/v1/events_service_pb";
import type { Event } from "@artenic/gen/artenic/events/v1/event_pb";
import { HealthService } from "@artenic/gen/artenic/health/v1/health_service_pb";
import { InferenceService, type RowPrediction } from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { RegistryService, type ArtifactMetadata } from "@artenic/gen/artenic/registry/v1/registry_service_pb";
import type { ModelVersion } from "@artenic/gen/artenic/registry/v1/model_version_pb";
import { TrainingService } from "@artenic/gen/artenic/training/v1/training_service_pb";
import type { TrainingJob } from "@artenic/gen/artenic/training/v1/training_job_pb";
import { applyCallPolicy, type CallPolicy } from "./call-policy.js";
import { ArtenicError } from "./errors.js";
import { downloadArtifact, uploadArtifact, type ArtifactSource, type DownloadArtifactOptions, type UploadArtifactOptions } from "./artifacts.js";
import { waitForTrainingJob, type WaitForTrainingJobOptions } from "./training.js";
import { streamPredict, subscribeEvents, type PredictRowInit, type StreamPredictOptions, type SubscribeEventsOptions } from "./streams.js";

const services = {
  registry: RegistryService,
  inference: InferenceService,
  abTests: ABTestService,
  ensembles: EnsembleService,
  health: HealthService,
  training: TrainingService,
  budgets: BudgetService,
  events: EventsService,
  admin: AdminService,
} as const;

type Services = typeof services;

/** One client per Artenic service, keyed as in `ArtenicClient`. */
export type ServiceClients = { readonly [K in keyof Services]: Client<Services[K]> };

/**
 * The clients of every service over one transport, plus helpers for what takes more than one call.
 * Service clients throw `ArtenicError` subclasses; `raw` holds the plain Connect clients (same
 * transport, same key, deadlines and retries) that throw `ConnectError`.
 */
export interface ArtenicClient extends ServiceClients {
  /** Plain `createClient(XService, transport)` clients, nothing hidden. */
  readonly raw: ServiceClients;
  /** The transport every client uses, with the key, deadlines and retries applied. */
  readonly transport: Transport;
  /** Streams an artifact into a new version of `parent` (`models/{model}` or an id). */
  uploadArtifact(parent: string, source: ArtifactSource, options?: UploadArtifactOptions): Promise<ModelVersion>;
  /** Downloads a version's stored artifact, checking size and SHA-256. */
  downloadArtifact(name: string, options?: DownloadArtifactOptions): Promise<{ metadata: ArtifactMetadata; bytes: Uint8Array }>;
  /** Polls a training job until it ends. */
  waitForTrainingJob(name: string, options?: WaitForTrainingJobOptions): Promise<TrainingJob>;
  /** Iterates events, resuming from the last cursor after a restart or a cut-off. */
  subscribeEvents(request?: MessageInitShape<typeof SubscribeRequestSchema>, options?: SubscribeEventsOptions): AsyncGenerator<Event>;
  /** Predicts streamed rows with StreamPredict, yielding one result per row in order. */
  streamPredict(service: string, rows: Iterable<PredictRowInit> | AsyncIterable<PredictRowInit>, options?: StreamPredictOptions): AsyncGenerator<RowPrediction>;
}

export interface ArtenicClientOptions extends CallPolicy {
  /**
   * Any Connect transport. Optional with the entry points `@artenic/sdk/node` (gRPC over HTTP/2 by
   * default) and `@artenic/sdk/web` (Connect over fetch), which build one from `baseUrl`; required
   * with the platform-neutral `@artenic/sdk`.
   */
  readonly transport?: Transport;
  /** The server's URL, such as `http://127.0.0.1:8080`; used when the entry point builds the transport. */
  readonly baseUrl?: string;
}

/**
 * Creates the clients of every service over one transport.
 *
 * @example
 * import { createArtenicClient } from "@artenic/sdk/node";
 * const artenic = createArtenicClient({ baseUrl: "http://127.0.0.1:8080", apiKey: process.env.ARTENIC_API_KEY });
 * const { models } = await artenic.registry.listModels({});
 */
export function createArtenicClient(options: ArtenicClientOptions): ArtenicClient {
  if (!options.transport) {
    throw new TypeError(
      "createArtenicClient needs a transport: import it from '@artenic/sdk/node' or '@artenic/sdk/web', which build one from baseUrl, or pass `transport`.",
    );
  }
  const transport = applyCallPolicy(options.transport, options);
  const raw = mapServices((service) => createClient(service, transport));
  const typed = mapServices((service, key) => withTypedErrors(service, raw[key] as Client<DescService>));
  return {
    ...typed,
    raw,
    transport,
    uploadArtifact: (parent, source, o) => uploadArtifact(typed.registry, parent, source, o),
    downloadArtifact: (name, o) => downloadArtifact(typed.registry, name, o),
    waitForTrainingJob: (name, o) => waitForTrainingJob(typed.training, name, o),
    subscribeEvents: (request, o) => subscribeEvents(typed.events, request, o),
    streamPredict: (service, rows, o) => streamPredict(typed.inference, service, rows, o),
  };
}

function mapServices(make: <S extends DescService>(service: S, key: keyof Services) => Client<S>): ServiceClients {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(services) as (keyof Services)[]) out[key] = make(services[key], key);
  return out as ServiceClients;
}

/** The same client, with every failure (of a call or of a stream while iterated) as ArtenicError. */
function withTypedErrors<S extends DescService>(service: S, client: Client<DescService>): Client<S> {
  const out: Record<string, unknown> = {};
  const fns = client as unknown as Record<string, (input: unknown, options?: unknown) => unknown>;
  for (const method of service.methods) {
    const call = fns[method.localName]!;
    if (method.methodKind === "unary" || method.methodKind === "client_streaming") {
      out[method.localName] = (input: unknown, options?: unknown) =>
        (call(input, options) as Promise<unknown>).catch((e: unknown) => {
          throw ArtenicError.from(e);
        });
    } else {
      out[method.localName] = (input: unknown, options?: unknown) => rethrowTyped(call(input, options) as AsyncIterable<unknown>);
    }
  }
  return out as Client<S>;
}

async function* rethrowTyped<T>(stream: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* stream;
  } catch (e) {
    throw ArtenicError.from(e);
  }
}

/**
 * Sends `Authorization: Bearer <key>` on every call; works over gRPC, gRPC-Web and Connect. For
 * transports used without `createArtenicClient` (which takes `apiKey` itself).
 */
export function apiKeyInterceptor(apiKey: string): Interceptor {
  return (next) => (req) => {
    req.header.set("authorization", `Bearer ${apiKey}`);
    return next(req);
  };
}
