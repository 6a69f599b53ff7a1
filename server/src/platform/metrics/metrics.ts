import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Per-method RPC counters and latency histograms, exported on `/metrics`. */
export interface RpcMetrics {
  observe(method: string, code: string, seconds: number): void;
}

/** Inference figures: per-service latency and rows, merged batch sizes, the session cache. */
export interface InferenceMetrics {
  observePrediction(service: string, modelVersion: string, seconds: number, rows: number, outcome: "ok" | "error"): void;
  observeBatch(size: number): void;
  /** Registers a callback read at scrape time for the loaded-model gauges. */
  sessionCacheGauges(read: () => { models: number; bytes: number }): void;
}

/** Event log figures: live subscribers, deliveries, cut-offs, the hub's position and retention. */
export interface EventsMetrics {
  /** One event handed to a subscriber's stream. */
  delivered(): void;
  /** One subscriber ended with SUBSCRIBER_TOO_SLOW. */
  cutOff(): void;
  /** Events deleted by retention. */
  retentionDeleted(n: number): void;
  /** Registers callbacks read at scrape time: live subscribers and the hub's log position. */
  hubGauges(read: () => { subscribers: number; position: number }): void;
}

/** The server's Prometheus registry with the process, RPC, inference and event metrics registered. */
export function createMetrics(): { registry: Registry; rpc: RpcMetrics; inference: InferenceMetrics; events: EventsMetrics } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "artenic_process_" });
  const requests = new Counter({
    name: "artenic_rpc_requests_total",
    help: "RPCs handled, by method and final code.",
    labelNames: ["method", "code"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "artenic_rpc_duration_seconds",
    help: "RPC latency from first byte to last response message, by method.",
    labelNames: ["method"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const predictionLatency = new Histogram({
    name: "artenic_inference_latency_seconds",
    help: "Prediction latency inside the server (decode, model run, encode), by service and model version.",
    labelNames: ["service", "model_version"],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const rows = new Counter({
    name: "artenic_inference_rows_total",
    help: "Rows predicted, by service, model version and outcome.",
    labelNames: ["service", "model_version", "outcome"],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: "artenic_inference_batch_size",
    help: "Rows per merged model run of the dynamic batcher.",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [registry],
  });
  let cacheRead: () => { models: number; bytes: number } = () => ({ models: 0, bytes: 0 });
  new Gauge({
    name: "artenic_inference_loaded_models",
    help: "Model sessions held in the session cache.",
    registers: [registry],
    collect() {
      this.set(cacheRead().models);
    },
  });
  new Gauge({
    name: "artenic_inference_loaded_model_bytes",
    help: "Artifact bytes of the model sessions held in the session cache.",
    registers: [registry],
    collect() {
      this.set(cacheRead().bytes);
    },
  });
  // --- events (server/src/events) ---
  const eventsDelivered = new Counter({ name: "artenic_events_delivered_total", help: "Events sent to Subscribe streams (replay and live).", registers: [registry] });
  const eventsCutOff = new Counter({
    name: "artenic_events_subscribers_cut_off_total",
    help: "Subscribers ended with SUBSCRIBER_TOO_SLOW because their buffer filled.",
    registers: [registry],
  });
  const eventsPruned = new Counter({ name: "artenic_events_retention_deleted_total", help: "Events deleted by the retention task.", registers: [registry] });
  let hubRead: () => { subscribers: number; position: number } = () => ({ subscribers: 0, position: 0 });
  new Gauge({
    name: "artenic_events_subscribers",
    help: "Live Subscribe streams on this server process.",
    registers: [registry],
    collect() {
      this.set(hubRead().subscribers);
    },
  });
  new Gauge({
    name: "artenic_events_log_position",
    help: "The id of the newest event this process has read from the log and fanned out.",
    registers: [registry],
    collect() {
      this.set(hubRead().position);
    },
  });
  const rpcCounters = new Map<string, { inc(): void }>();
  const rpcHistograms = new Map<string, { observe(value: number): void }>();
  return {
    registry,
    events: {
      delivered() {
        eventsDelivered.inc();
      },
      cutOff() {
        eventsCutOff.inc();
      },
      retentionDeleted(n) {
        if (n > 0) eventsPruned.inc(n);
      },
      hubGauges(read) {
        hubRead = read;
      },
    },
    inference: {
      observePrediction(service, modelVersion, seconds, n, outcome) {
        predictionLatency.observe({ service, model_version: modelVersion }, seconds);
        rows.inc({ service, model_version: modelVersion, outcome }, n);
      },
      observeBatch(size) {
        batchSize.observe(size);
      },
      sessionCacheGauges(read) {
        cacheRead = read;
      },
    },
    rpc: {
      observe(method, code, seconds) {
        // The labelled children are looked up once per (method, code): prom-client otherwise hashes
        // the label set on every call. Methods and codes are finite, so the maps stay small.
        let counter = rpcCounters.get(`${method} ${code}`);
        if (!counter) rpcCounters.set(`${method} ${code}`, (counter = requests.labels({ method, code })));
        let histogram = rpcHistograms.get(method);
        if (!histogram) rpcHistograms.set(method, (histogram = latency.labels({ method })));
        counter.inc();
        histogram.observe(seconds);
      },
    },
  };
}
