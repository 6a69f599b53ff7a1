/**
 * The few calls of MLflow's tracking and model registry REST API (`/api/2.0/mlflow/...`) that the
 * mirror needs. Requests and responses are MLflow's JSON (snake_case); failures carry MLflow's
 * `error_code`, so callers tell a resource that already exists from a server that is down.
 */

export interface MlflowClientOptions {
  /** e.g. `http://127.0.0.1:5000`, without a trailing slash. */
  readonly trackingUri: string;
  readonly token?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly timeoutMs: number;
  /** Aborts requests in flight (at shutdown). */
  readonly signal?: AbortSignal;
}

export interface MlflowTag {
  readonly key: string;
  readonly value: string;
}

export interface MlflowMetric {
  readonly key: string;
  readonly value: number;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly step: number;
}

export type MlflowRunStatus = "RUNNING" | "FINISHED" | "FAILED" | "KILLED";

/** A failed call: `status` 0 when MLflow could not be reached or did not answer in time. */
export class MlflowError extends Error {
  override name = "MlflowError";
  constructor(
    readonly status: number,
    /** MLflow's `error_code` (e.g. `RESOURCE_ALREADY_EXISTS`), or "" when there is none. */
    readonly errorCode: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** Whether trying again later may succeed: MLflow unreachable, overloaded, failing, or refusing our credentials. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500 || this.status === 401 || this.status === 403;
  }
}

export interface MlflowClient {
  /** The experiment's id, or undefined when there is none by that name. */
  getExperimentIdByName(name: string): Promise<string | undefined>;
  createExperiment(name: string, tags: readonly MlflowTag[]): Promise<string>;
  /** Runs of an experiment whose tag `key` equals `value`. */
  findRunsByTag(experimentId: string, key: string, value: string): Promise<{ runId: string; status: string }[]>;
  createRun(experimentId: string, runName: string, startTime: number, tags: readonly MlflowTag[]): Promise<string>;
  logBatch(runId: string, batch: { params?: readonly MlflowTag[]; metrics?: readonly MlflowMetric[]; tags?: readonly MlflowTag[] }): Promise<void>;
  updateRun(runId: string, status: MlflowRunStatus, endTime: number | undefined): Promise<void>;
  /** Creates a registered model; one that already exists is fine. */
  ensureRegisteredModel(name: string, description: string): Promise<void>;
  /** Versions of a registered model that came from `runId`, with their tags. */
  findModelVersions(name: string, runId: string): Promise<{ version: string; tags: Record<string, string> }[]>;
  createModelVersion(input: { name: string; source: string; runId: string; description: string; tags: readonly MlflowTag[] }): Promise<string>;
}

export function createMlflowClient(options: MlflowClientOptions): MlflowClient {
  const base = `${options.trackingUri}/api/2.0/mlflow/`;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.token) headers["authorization"] = `Bearer ${options.token}`;
  else if (options.username && options.password) {
    headers["authorization"] = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString("base64")}`;
  }

  async function call<T>(method: "GET" | "POST", path: string, body: Record<string, unknown>): Promise<T> {
    const url = new URL(path, base);
    if (method === "GET") for (const [k, v] of Object.entries(body)) url.searchParams.set(k, String(v));
    const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(method === "POST" ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.any(signals) });
    } catch (e) {
      const reason = (e as Error).name === "TimeoutError" ? `no answer within ${options.timeoutMs} ms` : ((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message);
      throw new MlflowError(0, "", `MLflow at ${options.trackingUri} is unreachable (${reason})`, { cause: e });
    }
    const text = await response.text();
    if (!response.ok) {
      let errorCode = "";
      let message = text.slice(0, 500);
      try {
        const parsed = JSON.parse(text) as { error_code?: string; message?: string };
        errorCode = parsed.error_code ?? "";
        message = parsed.message ?? message;
      } catch {
        // not JSON: a proxy's page, say; its start is the message
      }
      throw new MlflowError(response.status, errorCode, `MLflow ${path} answered HTTP ${response.status}${errorCode ? ` ${errorCode}` : ""}: ${message}`);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  const tagsOf = (tags: readonly MlflowTag[]) => tags.map((t) => ({ key: t.key, value: t.value }));

  return {
    async getExperimentIdByName(name) {
      try {
        const out = await call<{ experiment: { experiment_id: string; lifecycle_stage?: string } }>("GET", "experiments/get-by-name", { experiment_name: name });
        return out.experiment.experiment_id;
      } catch (e) {
        if (e instanceof MlflowError && e.errorCode === "RESOURCE_DOES_NOT_EXIST") return undefined;
        throw e;
      }
    },
    async createExperiment(name, tags) {
      const out = await call<{ experiment_id: string }>("POST", "experiments/create", { name, tags: tagsOf(tags) });
      return out.experiment_id;
    },
    async findRunsByTag(experimentId, key, value) {
      const filter = `tags.\`${key}\` = '${value.replaceAll("'", "\\'")}'`;
      const out = await call<{ runs?: { info: { run_id: string; status: string } }[] }>("POST", "runs/search", { experiment_ids: [experimentId], filter, max_results: 10 });
      return (out.runs ?? []).map((r) => ({ runId: r.info.run_id, status: r.info.status }));
    },
    async createRun(experimentId, runName, startTime, tags) {
      const out = await call<{ run: { info: { run_id: string } } }>("POST", "runs/create", { experiment_id: experimentId, run_name: runName, start_time: startTime, tags: tagsOf(tags) });
      return out.run.info.run_id;
    },
    async logBatch(runId, batch) {
      await call("POST", "runs/log-batch", {
        run_id: runId,
        params: tagsOf(batch.params ?? []),
        metrics: (batch.metrics ?? []).map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step })),
        tags: tagsOf(batch.tags ?? []),
      });
    },
    async updateRun(runId, status, endTime) {
      await call("POST", "runs/update", { run_id: runId, status, ...(endTime !== undefined ? { end_time: endTime } : {}) });
    },
    async ensureRegisteredModel(name, description) {
      try {
        await call("POST", "registered-models/create", { name, description });
      } catch (e) {
        if (!(e instanceof MlflowError && e.errorCode === "RESOURCE_ALREADY_EXISTS")) throw e;
      }
    },
    async findModelVersions(name, runId) {
      const filter = `name = '${name.replaceAll("'", "\\'")}' and run_id = '${runId}'`;
      const out = await call<{ model_versions?: { version: string; tags?: { key: string; value: string }[] }[] }>("GET", "model-versions/search", { filter, max_results: 100 });
      return (out.model_versions ?? []).map((v) => ({ version: v.version, tags: Object.fromEntries((v.tags ?? []).map((t) => [t.key, t.value])) }));
    },
    async createModelVersion(input) {
      const out = await call<{ model_version: { version: string } }>("POST", "model-versions/create", {
        name: input.name,
        source: input.source,
        run_id: input.runId,
        description: input.description,
        tags: tagsOf(input.tags),
      });
      return out.model_version.version;
    },
  };
}
