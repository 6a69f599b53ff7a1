import { Writable } from "node:stream";
import {
  AuthorizationV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  Log,
  VersionApi,
  Watch,
  Observable,
  type ConfigurationOptions,
  type LogOptions,
  type ObservableMiddleware,
  type V1Job,
  type V1Pod,
  type RequestContext,
  type ResponseContext,
} from "@kubernetes/client-node";
import type { ComputeProvider, LaunchSpec, Offering, ProviderHandle, ProviderStatus } from "../../compute-provider.js";
import { gpuTypeMatches } from "../../catalog/price-catalog.js";
import { AppError } from "../../../platform/errors/app-error.js";
import { DEFAULT_MAX_CODE_BYTES, packCode, packResume } from "./kubernetes-code.js";
import type { KubernetesProviderConfig } from "./kubernetes-config.js";
import { isConflict, isNotFound, kubeStatusOf, translateKubeError } from "./kubernetes-errors.js";
import { JOB_LABEL, TRAIN_CONTAINER, kubernetesNames, type KubernetesNames } from "./kubernetes-names.js";
import { buildConfigMap, buildJob, buildSecret, gpuClassesFor } from "./kubernetes-objects.js";
import { mapJobStatus } from "./kubernetes-status.js";
import { OUTPUTS_CONTAINER, outputsFromLog, type OutputFile } from "./kubernetes-outputs.js";

/** Largest log chunk read per readLogs call; the rest comes with the next call. */
const LOG_CHUNK_BYTES = 1024 * 1024;

/** What `readLogs` hands back as its cursor: the pod, and the last timestamp seen with how many lines carried it. */
interface LogCursor {
  readonly pod: string;
  readonly ts: string;
  readonly n: number;
}

function parseCursor(after: string): LogCursor | undefined {
  if (after === "") return undefined;
  try {
    const c = JSON.parse(after) as LogCursor;
    return typeof c.pod === "string" && typeof c.ts === "string" && typeof c.n === "number" ? c : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 3339 (nano) timestamp → nanoseconds since the epoch, for exact ordering of log lines. */
function timestampNanos(ts: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(ts);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

/** The second a timestamp falls in, as RFC 3339: the resolution `sinceTime` is honoured at. */
function floorToSecond(ts: string): string | undefined {
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

function newestPod(pods: readonly V1Pod[]): V1Pod | undefined {
  return [...pods].sort((a, b) => (b.metadata?.creationTimestamp?.getTime() ?? 0) - (a.metadata?.creationTimestamp?.getTime() ?? 0))[0];
}

/**
 * Training jobs as batch/v1 Jobs (see kubernetes-objects.ts for what is created). Every call goes
 * through `@kubernetes/client-node`; this folder is the only place that imports it.
 */
export class KubernetesComputeProvider implements ComputeProvider {
  readonly id: string;
  private readonly kc: KubeConfig;
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;
  private readonly region: string;

  constructor(private readonly config: KubernetesProviderConfig) {
    this.id = config.id ?? "kubernetes";
    this.region = config.region ?? "cluster";
    const url = new URL(config.apiServerUrl);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && config.insecureSkipTlsVerify)) {
      throw new AppError("invalid_argument", "KUBERNETES_INSECURE_URL", `kubernetes: ${config.apiServerUrl} is not https; plain http needs insecure_skip_tls_verify.`, {
        url: config.apiServerUrl,
      });
    }
    const pemOrBase64 = (v: string | undefined) => (v === undefined || v === "" ? undefined : v.includes("-----BEGIN") ? Buffer.from(v, "utf8").toString("base64") : v);
    const caData = pemOrBase64(config.certificateAuthority);
    const certData = pemOrBase64(config.clientCertificate);
    const keyData = pemOrBase64(config.clientKey);
    this.kc = new KubeConfig();
    this.kc.loadFromOptions({
      clusters: [{ name: "artenic", server: url.toString().replace(/\/$/, ""), skipTLSVerify: config.insecureSkipTlsVerify ?? false, ...(caData ? { caData } : {}) }],
      users: [{ name: "artenic", ...(config.token ? { token: config.token } : {}), ...(certData ? { certData } : {}), ...(keyData ? { keyData } : {}) }],
      contexts: [{ name: "artenic", cluster: "artenic", user: "artenic", namespace: config.namespace }],
      currentContext: "artenic",
    });
    this.batch = this.kc.makeApiClient(BatchV1Api);
    this.core = this.kc.makeApiClient(CoreV1Api);
  }

  /** Per-call options: the caller's signal combined with the request timeout. */
  private options(signal: AbortSignal | undefined): ConfigurationOptions {
    const timeout = AbortSignal.timeout(this.config.requestTimeoutMs ?? 30_000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const middleware: ObservableMiddleware = {
      pre: (ctx: RequestContext) => {
        ctx.setSignal(combined);
        return new Observable(Promise.resolve(ctx));
      },
      post: (ctx: ResponseContext) => new Observable(Promise.resolve(ctx)),
    };
    return { middleware: [middleware], middlewareMergeStrategy: "append" };
  }

  private async call<T>(action: string, signal: AbortSignal | undefined, run: (options: ConfigurationOptions) => Promise<T>): Promise<T> {
    try {
      return await run(this.options(signal));
    } catch (e) {
      throw translateKubeError(e, action, signal);
    }
  }

  /** Like `call`, but a 404 is `undefined` (reads) or success (deletes). */
  private async callAllowingNotFound<T>(action: string, signal: AbortSignal | undefined, run: (options: ConfigurationOptions) => Promise<T>): Promise<T | undefined> {
    try {
      return await run(this.options(signal));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw translateKubeError(e, action, signal);
    }
  }

  async listOfferings(filter: { region?: string; gpuType?: string } = {}): Promise<Offering[]> {
    return (this.config.offerings ?? []).filter(
      (o) => (!filter.region || o.region === filter.region) && (!filter.gpuType || gpuTypeMatches(filter.gpuType, o.gpuType)),
    );
  }

  async submit(spec: LaunchSpec, signal?: AbortSignal): Promise<ProviderHandle> {
    const names = kubernetesNames(spec.jobName);
    const namespace = this.config.namespace;
    // Idempotent: the Job's name derives from the training job's, so a retried submit finds it.
    const existing = await this.callAllowingNotFound(`read Job ${names.job}`, signal, (o) => this.batch.readNamespacedJob({ name: names.job, namespace }, o));
    if (existing) return this.handleFor(existing, names, spec);
    // Refused before anything is created: a GPU type the cluster has no node class for.
    if (this.config.gpuClassAffinity && spec.gpuCount > 0 && spec.gpuType !== "") gpuClassesFor(spec.gpuType, this.config.gpuClassAffinity);
    const maxBytes = this.config.maxCodeBytes ?? DEFAULT_MAX_CODE_BYTES;
    const code = await packCode(spec.codePath, maxBytes);
    const resume = await packResume(spec.resumeFrom, code, maxBytes);
    const secret = buildSecret(spec, names, namespace);
    const configMap = buildConfigMap(code, resume, names, namespace);
    if (secret) {
      await this.call(`create Secret ${names.secret}`, signal, async (o) => {
        try {
          return await this.core.createNamespacedSecret({ namespace, body: secret }, o);
        } catch (e) {
          // Left by an earlier attempt that stopped before the Job: replace it with this attempt's values.
          if (isConflict(e)) return this.core.replaceNamespacedSecret({ name: names.secret, namespace, body: secret }, o);
          throw e;
        }
      });
    }
    if (configMap) {
      await this.call(`create ConfigMap ${names.configMap}`, signal, async (o) => {
        try {
          return await this.core.createNamespacedConfigMap({ namespace, body: configMap }, o);
        } catch (e) {
          if (isConflict(e)) return this.core.replaceNamespacedConfigMap({ name: names.configMap, namespace, body: configMap }, o);
          throw e;
        }
      });
    }
    const body = buildJob(spec, names, code, resume, this.config, secret);
    const created = await this.call(`create Job ${names.job}`, signal, async (o) => {
      try {
        return await this.batch.createNamespacedJob({ namespace, body }, o);
      } catch (e) {
        // A concurrent submit of the same job won the race: use its Job.
        if (isConflict(e)) return this.batch.readNamespacedJob({ name: names.job, namespace }, o);
        throw e;
      }
    });
    return this.handleFor(created, names, spec);
  }

  private handleFor(job: V1Job, names: KubernetesNames, spec: LaunchSpec): ProviderHandle {
    if (job.metadata?.labels?.[JOB_LABEL] !== names.id) {
      throw new AppError(
        "failed_precondition",
        "KUBERNETES_NAME_TAKEN",
        `kubernetes: a Job named ${names.job} exists in namespace ${this.config.namespace} but was not created for trainingJobs/${names.id}.`,
        { job: names.job, namespace: this.config.namespace },
      );
    }
    return {
      provider: this.id,
      id: names.job,
      region: this.region,
      instanceType: spec.instanceType,
      data: {
        namespace: this.config.namespace,
        job: names.job,
        uid: job.metadata?.uid ?? "",
        configMap: names.configMap,
        secret: names.secret,
        labelSelector: names.labelSelector,
      },
    };
  }

  /** Where a handle's objects are; handles carry every name, the Job's name being the fallback. */
  private target(handle: ProviderHandle): { namespace: string; job: string; configMap: string; secret: string; labelSelector: string } {
    const d = handle.data;
    const job = d["job"] || handle.id;
    return {
      namespace: d["namespace"] || this.config.namespace,
      job,
      configMap: d["configMap"] || `${job}-code`,
      secret: d["secret"] || `${job}-env`,
      labelSelector: d["labelSelector"] || `batch.kubernetes.io/job-name=${job}`,
    };
  }

  private async listPods(namespace: string, labelSelector: string, signal: AbortSignal | undefined): Promise<{ items: V1Pod[]; resourceVersion: string }> {
    const list = await this.call(`list pods ${labelSelector}`, signal, (o) => this.core.listNamespacedPod({ namespace, labelSelector }, o));
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? "" };
  }

  async poll(handle: ProviderHandle, signal?: AbortSignal): Promise<ProviderStatus> {
    const t = this.target(handle);
    const job = await this.callAllowingNotFound(`read Job ${t.job}`, signal, (o) => this.batch.readNamespacedJob({ name: t.job, namespace: t.namespace }, o));
    if (!job) return mapJobStatus(undefined, []);
    const pods = await this.listPods(t.namespace, t.labelSelector, signal);
    return mapJobStatus(job, pods.items);
  }

  /** Stops the job: deletes its Job, whose pods the garbage collector then terminates. */
  async cancel(handle: ProviderHandle, signal?: AbortSignal): Promise<void> {
    const t = this.target(handle);
    await this.callAllowingNotFound(`delete Job ${t.job}`, signal, (o) =>
      this.batch.deleteNamespacedJob({ name: t.job, namespace: t.namespace, propagationPolicy: "Background" }, o),
    );
  }

  /**
   * The files the job left in ARTENIC_OUTPUT_DIR, read back from the log of its collect-outputs
   * sidecar (kubernetes-outputs.ts); none when the pod is gone or printed nothing.
   */
  async collectArtifacts(handle: ProviderHandle, signal?: AbortSignal): Promise<{ readonly files: readonly OutputFile[] }> {
    if (this.config.collectOutputs === false) return { files: [] };
    const t = this.target(handle);
    const pod = newestPod((await this.listPods(t.namespace, t.labelSelector, signal)).items);
    const podName = pod?.metadata?.name;
    if (!podName) return { files: [] };
    const maxBytes = this.config.maxOutputBytes ?? 8 * 1024 * 1024;
    let log: string;
    try {
      // base64 grows 4/3, plus line breaks and the marker lines.
      log = await this.fetchLog(t.namespace, podName, OUTPUTS_CONTAINER, { limitBytes: Math.ceil(maxBytes * 1.4) + 1024 }, signal);
    } catch (e) {
      const code = kubeStatusOf(e)?.code;
      if (code === 400 || code === 404) return { files: [] };
      throw translateKubeError(e, `read the outputs of pod ${podName}`, signal);
    }
    return { files: outputsFromLog(log) };
  }

  async readLogs(handle: ProviderHandle, after: string, signal?: AbortSignal): Promise<{ lines: readonly string[]; cursor: string }> {
    const t = this.target(handle);
    const pods = (await this.listPods(t.namespace, t.labelSelector, signal)).items;
    const podName = newestPod(pods)?.metadata?.name;
    if (!podName) return { lines: [], cursor: after };
    const previous = parseCursor(after);
    const cursor = previous?.pod === podName ? previous : undefined;
    const since = cursor ? floorToSecond(cursor.ts) : undefined;
    let text: string;
    try {
      text = await this.fetchLog(t.namespace, podName, TRAIN_CONTAINER, { timestamps: true, limitBytes: LOG_CHUNK_BYTES, ...(since ? { sinceTime: since } : {}) }, signal);
    } catch (e) {
      // The container has not started yet (400) or the pod just went away (404): nothing to read now.
      const code = kubeStatusOf(e)?.code;
      if (code === 400 || code === 404) return { lines: [], cursor: after };
      throw translateKubeError(e, `read log of pod ${podName}`, signal);
    }
    const complete = text.endsWith("\n") || text.length < LOG_CHUNK_BYTES ? text : text.slice(0, text.lastIndexOf("\n") + 1);
    const lines: string[] = [];
    let lastTs = cursor?.ts ?? "";
    let lastNanos = cursor ? timestampNanos(cursor.ts) : undefined;
    let atLast = cursor?.n ?? 0;
    let skipAtLast = cursor?.n ?? 0;
    for (const raw of complete.split("\n")) {
      if (raw === "") continue;
      const space = raw.indexOf(" ");
      const ts = space > 0 ? raw.slice(0, space) : raw;
      const nanos = timestampNanos(ts);
      if (nanos === undefined) continue;
      if (lastNanos !== undefined && nanos < lastNanos) continue;
      if (lastNanos !== undefined && nanos === lastNanos) {
        if (skipAtLast > 0) {
          skipAtLast -= 1;
          continue;
        }
        atLast += 1;
      } else {
        lastNanos = nanos;
        lastTs = ts;
        atLast = 1;
        skipAtLast = 0;
      }
      lines.push(space > 0 ? raw.slice(space + 1) : "");
    }
    if (lines.length === 0) return { lines, cursor: after };
    return { lines, cursor: JSON.stringify({ pod: podName, ts: lastTs, n: atLast } satisfies LogCursor) };
  }

  private async fetchLog(namespace: string, pod: string, container: string, options: LogOptions, signal: AbortSignal | undefined): Promise<string> {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    });
    const finished = new Promise<void>((resolve, reject) => {
      sink.on("finish", resolve);
      sink.on("error", reject);
    });
    const controller = await new Log(this.kc).log(namespace, pod, container, sink, options);
    const abort = () => controller.abort();
    signal?.addEventListener("abort", abort, { once: true });
    const timer = setTimeout(abort, this.config.requestTimeoutMs ?? 30_000);
    try {
      await finished;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", abort);
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  /**
   * Deletes the Job (its pods follow in the background), the ConfigMap and the Secret, each
   * tolerating "already gone", then watches the Job's pods until none is left: only then is the
   * compute released. Pods still terminating after `cleanupWaitMs` make the call fail (UNAVAILABLE),
   * and the reconcile loop calls it again later.
   */
  async cleanup(handle: ProviderHandle, signal?: AbortSignal): Promise<void> {
    const t = this.target(handle);
    await this.callAllowingNotFound(`delete Job ${t.job}`, signal, (o) =>
      this.batch.deleteNamespacedJob({ name: t.job, namespace: t.namespace, propagationPolicy: "Background" }, o),
    );
    await this.callAllowingNotFound(`delete ConfigMap ${t.configMap}`, signal, (o) => this.core.deleteNamespacedConfigMap({ name: t.configMap, namespace: t.namespace }, o));
    await this.callAllowingNotFound(`delete Secret ${t.secret}`, signal, (o) => this.core.deleteNamespacedSecret({ name: t.secret, namespace: t.namespace }, o));
    await this.waitForPodsGone(t.namespace, t.labelSelector, signal);
  }

  private async waitForPodsGone(namespace: string, labelSelector: string, signal: AbortSignal | undefined): Promise<void> {
    const deadline = Date.now() + (this.config.cleanupWaitMs ?? 30_000);
    for (;;) {
      const list = await this.listPods(namespace, labelSelector, signal);
      const remaining = new Set(list.items.map((p) => p.metadata?.name ?? ""));
      if (remaining.size === 0) return;
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted) {
        throw new AppError(
          "unavailable",
          "KUBERNETES_PODS_TERMINATING",
          `kubernetes: ${remaining.size} pod(s) of ${labelSelector} are still terminating (${[...remaining].join(", ")}); cleanup will be retried.`,
          { labelSelector, pods: [...remaining].join(",") },
          { retryDelayMs: 5000 },
        );
      }
      await this.watchUntilGone(namespace, labelSelector, list.resourceVersion, remaining, left, signal);
    }
  }

  /** Watches pod events from `resourceVersion` until `remaining` empties, the watch ends, or `ms` pass. */
  private async watchUntilGone(namespace: string, labelSelector: string, resourceVersion: string, remaining: Set<string>, ms: number, signal: AbortSignal | undefined): Promise<void> {
    let controller: AbortController | undefined;
    await new Promise<void>((resolve) => {
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", finish);
        controller?.abort();
        resolve();
      };
      const timer = setTimeout(finish, ms);
      signal?.addEventListener("abort", finish, { once: true });
      new Watch(this.kc)
        .watch(
          `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
          { labelSelector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: Math.max(1, Math.ceil(ms / 1000)) },
          (type: string, object: { metadata?: { name?: string } }) => {
            const name = object?.metadata?.name ?? "";
            if (type === "DELETED") remaining.delete(name);
            else if (type === "ADDED") remaining.add(name);
            // ERROR (such as 410 Gone for an expired resourceVersion): list again.
            if (type === "ERROR" || remaining.size === 0) finish();
          },
          () => finish(),
        )
        .then((c) => {
          controller = c;
          if (settled) c.abort();
        })
        .catch(() => finish());
    });
  }

  async testConnection(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    const namespace = this.config.namespace;
    try {
      const version = await this.call("read the server version", signal, (o) => this.kc.makeApiClient(VersionApi).getCode(undefined, o));
      await this.call(`list Jobs in namespace ${namespace}`, signal, (o) => this.batch.listNamespacedJob({ namespace, limit: 1 }, o));
      const authz = this.kc.makeApiClient(AuthorizationV1Api);
      const needed: [string, string, string, string][] = [
        ["create", "batch", "jobs", ""],
        ["delete", "batch", "jobs", ""],
        ["create", "", "configmaps", ""],
        ["create", "", "secrets", ""],
        ["list", "", "pods", ""],
        ["get", "", "pods", "log"],
      ];
      const denied: string[] = [];
      for (const [verb, group, resource, subresource] of needed) {
        const review = await this.call(`review access to ${verb} ${resource}`, signal, (o) =>
          authz.createSelfSubjectAccessReview(
            {
              body: {
                apiVersion: "authorization.k8s.io/v1",
                kind: "SelfSubjectAccessReview",
                spec: { resourceAttributes: { namespace, verb, group, resource, ...(subresource ? { subresource } : {}) } },
              },
            },
            o,
          ),
        );
        if (!review.status?.allowed) denied.push(`${verb} ${subresource ? `${resource}/${subresource}` : resource}`);
      }
      if (denied.length > 0) return { ok: false, message: `kubernetes: in namespace ${namespace} the credentials may not ${denied.join(", ")}` };
      return { ok: true, message: `connected to Kubernetes ${version.gitVersion} at ${this.config.apiServerUrl}; namespace ${namespace} allows jobs, configmaps, secrets and pod logs` };
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  }
}
