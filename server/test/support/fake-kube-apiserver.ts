import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { TLSSocket } from "node:tls";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";

/**
 * A Kubernetes API server on 127.0.0.1 for tests, speaking the wire shapes of the endpoints the
 * kubernetes adapter uses: batch/v1 Jobs; v1 ConfigMaps, Secrets and Pods (list, watch, log);
 * SelfSubjectAccessReviews and /version. Errors are `meta/v1` Status objects with the real codes,
 * reasons and messages. A built-in "job controller" creates one pod per Job the way the real one
 * labels it; the test drives what happens next (start, succeed, fail, deadline, evict, preempt),
 * and a "garbage collector" deletes a Job's pods after a Background deletion (the API default for
 * Jobs is Orphan, as on a real server). With a `kubelet`, pods also "run" by themselves: the test
 * maps a pod (and its environment, resolved from values and Secret references the way the kubelet
 * does) to a script of log lines, output files and an exit code; a pod with the adapter's
 * collect-outputs sidecar then dumps the files to the sidecar's log as the real sidecar would.
 * Every request is recorded.
 */

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorization: string;
  readonly body: unknown;
}

/** What a pod "does" when the fake kubelet runs it; no exit code means it runs until deleted. */
export interface KubeletScript {
  readonly logs?: readonly string[];
  readonly files?: Readonly<Record<string, string>>;
  readonly exitCode?: number;
}

export interface FakeKubeOptions {
  /** Serve HTTPS with this certificate; with `clientCa`, a client certificate it signed also authenticates. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer; readonly clientCa?: Buffer };
  /** Runs pods by themselves (see the class comment). */
  readonly kubelet?: (pod: Obj, env: Readonly<Record<string, string>>) => KubeletScript | undefined;
  /** Delay of each kubelet step (start, finish). @default 5 */
  readonly kubeletStepMs?: number;
  /** The bearer token to require; any request without it gets 401. */
  readonly token?: string;
  /** Namespaces that exist. @default ["artenic-training"] */
  readonly namespaces?: readonly string[];
  /** SelfSubjectAccessReviews answered "not allowed", as `verb resource[/subresource]`. */
  readonly denied?: readonly string[];
  /** How long the garbage collector takes to delete a deleted Job's pods. @default 30 */
  readonly gcDelayMs?: number;
}

interface WatchEvent {
  readonly rv: number;
  readonly type: "ADDED" | "MODIFIED" | "DELETED";
  readonly object: Obj;
}

interface Watcher {
  readonly namespace: string;
  readonly selector: (labels: Obj) => boolean;
  readonly res: ServerResponse;
}

interface LogLine {
  readonly ts: string;
  readonly text: string;
}

const clone = <T>(o: T): T => structuredClone(o);
const seconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** The resource kinds this server stores, with their API group for Status details. */
const kinds = {
  jobs: { group: "batch", apiVersion: "batch/v1", kind: "Job", list: "JobList" },
  configmaps: { group: "", apiVersion: "v1", kind: "ConfigMap", list: "ConfigMapList" },
  secrets: { group: "", apiVersion: "v1", kind: "Secret", list: "SecretList" },
  pods: { group: "", apiVersion: "v1", kind: "Pod", list: "PodList" },
} as const;
type Kind = keyof typeof kinds;

function qualified(kind: Kind): string {
  return kinds[kind].group ? `${kind}.${kinds[kind].group}` : kind;
}

function status(code: number, reason: string, message: string, details?: Obj): Obj {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: code < 400 ? "Success" : "Failure", message, reason, ...(details ? { details } : {}), code };
}

/** Equality-based label selectors: `a=b,c==d,e!=f,g,!h`. */
export function parseSelector(selector: string): (labels: Obj) => boolean {
  const terms = selector.split(",").map((t) => t.trim()).filter(Boolean);
  return (labels) =>
    terms.every((t) => {
      const neq = t.indexOf("!=");
      if (neq > 0) return labels[t.slice(0, neq)] !== t.slice(neq + 2);
      const eq = t.indexOf("=");
      if (eq > 0) return labels[t.slice(0, eq)] === t.slice(t[eq + 1] === "=" ? eq + 2 : eq + 1);
      if (t.startsWith("!")) return !(t.slice(1) in labels);
      return t in labels;
    });
}

/** A ustar archive of regular files, with a leading `./` directory entry like `tar -czf - .` writes. */
export function tarOf(files: Readonly<Record<string, string>>): Buffer {
  const blocks: Buffer[] = [];
  const header = (name: string, size: number, type: "0" | "5") => {
    const h = Buffer.alloc(512);
    h.write(name, 0, 100, "utf8");
    h.write(type === "5" ? "0000755\0" : "0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(size.toString(8).padStart(11, "0") + "\0", 124);
    h.write(Math.floor(Date.now() / 1000).toString(8).padStart(11, "0") + "\0", 136);
    h.write("        ", 148);
    h.write(type, 156);
    h.write("ustar\0", 257);
    h.write("00", 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    return h;
  };
  blocks.push(header("./", 0, "5"));
  for (const [name, content] of Object.entries(files)) {
    const body = Buffer.from(content, "utf8");
    blocks.push(header(`./${name}`, body.length, "0"), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export class FakeKubeApiServer {
  readonly requests: RecordedRequest[] = [];
  private readonly store: Record<Kind, Map<string, Obj>> = { jobs: new Map(), configmaps: new Map(), secrets: new Map(), pods: new Map() };
  private readonly podEvents: WatchEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly logs = new Map<string, LogLine[]>();
  private readonly namespaces: Set<string>;
  private rv = 100;
  private logNanos = 0;
  /** When set, the garbage collector leaves deleted Jobs' pods terminating until `releasePods()`. */
  holdPods = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: FakeKubeOptions,
  ) {
    this.namespaces = new Set(options.namespaces ?? ["artenic-training"]);
  }

  static async start(options: FakeKubeOptions = {}): Promise<FakeKubeApiServer> {
    let fake: FakeKubeApiServer | undefined;
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      void fake!.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify(status(500, "InternalError", String(e))));
      });
    };
    const tls = options.tls;
    const server: Server = tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key, ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: false } : {}) }, listener)
      : createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    fake = new FakeKubeApiServer(server, `${tls ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}`, options);
    return fake;
  }

  async close(): Promise<void> {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- inspection -------------------------------------------------------------------------

  get(kind: Kind, namespace: string, name: string): Obj | undefined {
    const o = this.store[kind].get(`${namespace}/${name}`);
    return o ? clone(o) : undefined;
  }

  list(kind: Kind, namespace?: string): Obj[] {
    return [...this.store[kind].values()].filter((o) => !namespace || o["metadata"].namespace === namespace).map(clone);
  }

  podsOf(namespace: string, job: string): Obj[] {
    return this.list("pods", namespace).filter((p) => p["metadata"].labels?.["batch.kubernetes.io/job-name"] === job);
  }

  /** Requests other than the test's own inspection, as `METHOD path`. */
  calls(): string[] {
    return this.requests.map((r) => `${r.method} ${r.path}`);
  }

  // ---- driving the "cluster" --------------------------------------------------------------

  /** The pod starts running: the Job reports it active and ready. */
  startJob(namespace: string, job: string, at = new Date()): void {
    this.updatePods(namespace, job, (pod) => {
      pod["status"] = {
        ...pod["status"],
        phase: "Running",
        startTime: seconds(at),
        conditions: [
          { type: "PodScheduled", status: "True", lastTransitionTime: seconds(at) },
          { type: "Initialized", status: "True", lastTransitionTime: seconds(at) },
          { type: "Ready", status: "True", lastTransitionTime: seconds(at) },
          { type: "ContainersReady", status: "True", lastTransitionTime: seconds(at) },
        ],
        containerStatuses: [{ name: "train", ready: true, started: true, restartCount: 0, image: pod["spec"].containers[0].image, imageID: "", state: { running: { startedAt: seconds(at) } } }],
      };
    });
    this.updateJob(namespace, job, (j) => {
      j["status"] = { ...j["status"], active: 1, ready: 1, terminating: 0 };
    });
  }

  /** The container exits 0: the Job gets SuccessCriteriaMet then Complete, as since Kubernetes 1.31. */
  succeedJob(namespace: string, job: string, at = new Date()): void {
    this.terminate(namespace, job, "Succeeded", { exitCode: 0, reason: "Completed" }, at);
    this.updateJob(namespace, job, (j) => {
      j["status"] = {
        ...j["status"],
        active: 0,
        ready: 0,
        succeeded: 1,
        completionTime: seconds(at),
        conditions: [
          { type: "SuccessCriteriaMet", status: "True", reason: "CompletionsReached", message: "Reached expected number of succeeded pods", lastProbeTime: seconds(at), lastTransitionTime: seconds(at) },
          { type: "Complete", status: "True", reason: "CompletionsReached", message: "Reached expected number of succeeded pods", lastProbeTime: seconds(at), lastTransitionTime: seconds(at) },
        ],
      };
    });
  }

  /** The container exits non-zero (or is OOMKilled): with backoffLimit 0 the Job fails. */
  failJob(namespace: string, job: string, exitCode: number, reason = "Error", at = new Date()): void {
    this.terminate(namespace, job, "Failed", { exitCode, reason }, at);
    this.failJobWith(namespace, job, "BackoffLimitExceeded", "Job has reached the specified backoff limit", at);
  }

  /** activeDeadlineSeconds passed: the controller kills the pod and fails the Job. */
  exceedDeadline(namespace: string, job: string, at = new Date()): void {
    this.terminate(namespace, job, "Failed", { exitCode: 137, reason: "Error" }, at);
    this.failJobWith(namespace, job, "DeadlineExceeded", "Job was active longer than specified deadline", at);
  }

  /**
   * The pod is disrupted: `eviction` (kubelet under node pressure), `preemption` (a higher-priority
   * pod), or `node-shutdown`. The pod gets a DisruptionTarget condition and fails; with
   * `controllerReacts` the Job fails by its pod failure policy, as the real controller does.
   */
  disruptPod(namespace: string, job: string, kind: "eviction" | "preemption" | "node-shutdown", controllerReacts = true, at = new Date()): void {
    const pods = this.podsOf(namespace, job);
    const byKind = {
      eviction: { target: "TerminationByKubelet", message: "The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi.", reason: "Evicted" },
      preemption: { target: "PreemptionByScheduler", message: "default-scheduler: preempting to accommodate a higher priority pod", reason: "" },
      "node-shutdown": { target: "TerminationByKubelet", message: "Pod was terminated in response to imminent node shutdown.", reason: "Terminated" },
    }[kind];
    this.updatePods(namespace, job, (pod) => {
      pod["status"] = {
        ...pod["status"],
        phase: "Failed",
        ...(byKind.reason ? { reason: byKind.reason, message: byKind.message } : {}),
        conditions: [...(pod["status"].conditions ?? []), { type: "DisruptionTarget", status: "True", reason: byKind.target, message: byKind.message, lastTransitionTime: seconds(at) }],
        containerStatuses: [{ name: "train", ready: false, started: false, restartCount: 0, image: "", imageID: "", state: { terminated: { exitCode: 137, reason: "Error", startedAt: seconds(at), finishedAt: seconds(at) } } }],
      };
    });
    if (controllerReacts) {
      const pod = pods[0]!["metadata"].name as string;
      this.failJobWith(namespace, job, "PodFailurePolicy", `Pod ${namespace}/${pod} has condition DisruptionTarget matching FailJob rule at index 0`, at);
    }
  }

  /** The pod cannot be scheduled or its image cannot be pulled. */
  setPodWaiting(namespace: string, job: string, reason: string, message: string): void {
    this.updatePods(namespace, job, (pod) => {
      pod["status"] = {
        ...pod["status"],
        phase: "Pending",
        containerStatuses: [{ name: "train", ready: false, started: false, restartCount: 0, image: pod["spec"].containers[0].image, imageID: "", state: { waiting: { reason, message } } }],
      };
    });
  }

  /** Appends lines to a container's log (train by default) of the Job's newest pod, each with a distinct RFC 3339 nano timestamp. */
  appendLog(namespace: string, job: string, lines: readonly string[], at = new Date(), sameTimestamp = false, container = "train"): void {
    const pod = this.podsOf(namespace, job).sort((a, b) => String(b["metadata"].creationTimestamp).localeCompare(String(a["metadata"].creationTimestamp)))[0];
    if (!pod) throw new Error(`no pod for ${namespace}/${job}`);
    const key = `${namespace}/${pod["metadata"].name}/${container}`;
    const log = this.logs.get(key) ?? [];
    const base = at.toISOString().slice(0, 19);
    const ts = () => `${base}.${String(++this.logNanos).padStart(9, "0")}Z`;
    const shared = ts();
    for (const text of lines) log.push({ ts: sameTimestamp ? shared : ts(), text });
    this.logs.set(key, log);
  }

  /** Lets held pods finish terminating (see `holdPods`). */
  releasePods(): void {
    this.holdPods = false;
    for (const pod of this.list("pods")) if (pod["metadata"].deletionTimestamp) this.removePod(pod["metadata"].namespace, pod["metadata"].name);
  }

  // ---- internals --------------------------------------------------------------------------

  private nextRv(): string {
    this.rv += 1;
    return String(this.rv);
  }

  private updateJob(namespace: string, name: string, change: (job: Obj) => void): void {
    const job = this.store.jobs.get(`${namespace}/${name}`);
    if (!job) throw new Error(`no Job ${namespace}/${name}`);
    change(job);
    job["metadata"].resourceVersion = this.nextRv();
  }

  private updatePods(namespace: string, job: string, change: (pod: Obj) => void): void {
    for (const p of this.podsOf(namespace, job)) {
      const pod = this.store.pods.get(`${namespace}/${p["metadata"].name}`)!;
      change(pod);
      this.emitPod("MODIFIED", pod);
    }
  }

  private terminate(namespace: string, job: string, phase: "Succeeded" | "Failed", exit: { exitCode: number; reason: string }, at: Date): void {
    this.updatePods(namespace, job, (pod) => {
      pod["status"] = {
        ...pod["status"],
        phase,
        containerStatuses: [
          {
            name: "train",
            ready: false,
            started: false,
            restartCount: 0,
            image: pod["spec"].containers[0].image,
            imageID: "",
            state: { terminated: { ...exit, startedAt: pod["status"].startTime ?? seconds(at), finishedAt: seconds(at) } },
          },
        ],
      };
    });
  }

  private failJobWith(namespace: string, job: string, reason: string, message: string, at: Date): void {
    this.updateJob(namespace, job, (j) => {
      j["status"] = {
        ...j["status"],
        active: 0,
        ready: 0,
        failed: 1,
        conditions: [
          { type: "FailureTarget", status: "True", reason, message, lastProbeTime: seconds(at), lastTransitionTime: seconds(at) },
          { type: "Failed", status: "True", reason, message, lastProbeTime: seconds(at), lastTransitionTime: seconds(at) },
        ],
      };
    });
  }

  private emitPod(type: WatchEvent["type"], pod: Obj): void {
    const rv = this.nextRv();
    pod["metadata"].resourceVersion = rv;
    const event: WatchEvent = { rv: Number(rv), type, object: clone(pod) };
    this.podEvents.push(event);
    for (const w of this.watchers) {
      if (w.namespace === pod["metadata"].namespace && w.selector(pod["metadata"].labels ?? {})) w.res.write(JSON.stringify({ type, object: event.object }) + "\n");
    }
  }

  private removePod(namespace: string, name: string): void {
    const pod = this.store.pods.get(`${namespace}/${name}`);
    if (!pod) return;
    this.store.pods.delete(`${namespace}/${name}`);
    for (const key of [...this.logs.keys()]) if (key.startsWith(`${namespace}/${name}/`)) this.logs.delete(key);
    this.emitPod("DELETED", pod);
  }

  /** The Job controller: one pod per new Job, labelled and owned the way Kubernetes does it. */
  private createPodFor(job: Obj): void {
    const alphabet = "bcdfghjklmnpqrstvwxz2456789";
    const suffix = Array.from({ length: 5 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join("");
    const ns = job["metadata"].namespace as string;
    const template = clone(job["spec"].template);
    const pod: Obj = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: `${job["metadata"].name}-${suffix}`,
        generateName: `${job["metadata"].name}-`,
        namespace: ns,
        uid: randomUUID(),
        creationTimestamp: seconds(new Date()),
        labels: template.metadata?.labels ?? {},
        annotations: template.metadata?.annotations ?? {},
        ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: job["metadata"].name, uid: job["metadata"].uid, controller: true, blockOwnerDeletion: true }],
        finalizers: ["batch.kubernetes.io/job-tracking"],
      },
      spec: template.spec,
      status: { phase: "Pending", qosClass: "Guaranteed", conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: seconds(new Date()) }] },
    };
    this.store.pods.set(`${ns}/${pod["metadata"].name}`, pod);
    this.emitPod("ADDED", pod);
    this.updateJob(ns, job["metadata"].name, (j) => {
      j["status"] = { startTime: seconds(new Date()), active: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {} };
    });
    const script = this.options.kubelet?.(clone(pod), this.resolveEnv(ns, pod));
    if (script) void this.run(ns, job["metadata"].name as string, pod["metadata"].name as string, script);
  }

  /** The training container's environment as the kubelet builds it: values and Secret keys. */
  private resolveEnv(namespace: string, pod: Obj): Record<string, string> {
    const env: Record<string, string> = {};
    const container = (pod["spec"].containers as Obj[]).find((c) => c["name"] === "train") ?? pod["spec"].containers[0];
    for (const e of (container?.["env"] ?? []) as Obj[]) {
      if (typeof e["value"] === "string") env[e["name"]] = e["value"];
      const ref = e["valueFrom"]?.secretKeyRef;
      if (ref) {
        const value = this.store.secrets.get(`${namespace}/${ref.name}`)?.["data"]?.[ref.key];
        if (value !== undefined) env[e["name"]] = Buffer.from(value, "base64").toString("utf8");
      }
    }
    return env;
  }

  private async run(namespace: string, job: string, pod: string, script: KubeletScript): Promise<void> {
    const step = () => new Promise((r) => setTimeout(r, this.options.kubeletStepMs ?? 5));
    const alive = () => this.store.jobs.has(`${namespace}/${job}`) && this.store.pods.has(`${namespace}/${pod}`);
    await step();
    if (!alive()) return;
    this.startJob(namespace, job);
    if (script.logs && script.logs.length > 0) this.appendLog(namespace, job, script.logs);
    if (script.exitCode === undefined) return;
    await step();
    if (!alive()) return;
    const sidecar = ((this.store.pods.get(`${namespace}/${pod}`)!["spec"].initContainers ?? []) as Obj[]).some((c) => c["name"] === "collect-outputs" && c["restartPolicy"] === "Always");
    if (sidecar) {
      const b64 = gzipSync(tarOf(script.files ?? {})).toString("base64");
      const lines = ["ARTENIC-OUTPUTS-BEGIN", ...(b64.match(/.{1,76}/g) ?? []), "ARTENIC-OUTPUTS-END"];
      this.appendLog(namespace, job, lines, new Date(), false, "collect-outputs");
    }
    if (script.exitCode === 0) this.succeedJob(namespace, job);
    else this.failJob(namespace, job, script.exitCode);
  }

  /** Garbage collection of a deleted Job's pods: marked terminating, then gone (unless held). */
  private collectPods(namespace: string, jobUid: string): void {
    setTimeout(() => {
      for (const pod of this.list("pods", namespace)) {
        if (!pod["metadata"].ownerReferences?.some((r: Obj) => r["uid"] === jobUid)) continue;
        const stored = this.store.pods.get(`${namespace}/${pod["metadata"].name}`)!;
        stored["metadata"].deletionTimestamp = seconds(new Date());
        stored["metadata"].deletionGracePeriodSeconds = 30;
        this.emitPod("MODIFIED", stored);
        if (!this.holdPods) this.removePod(namespace, pod["metadata"].name);
      }
    }, this.options.gcDelayMs ?? 30);
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { "content-type": "application/json", "cache-control": "no-cache, private" });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: unknown = undefined;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        return this.send(res, 400, status(400, "BadRequest", "the body of the request was in an unknown format"));
      }
    }
    const method = req.method ?? "GET";
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({ method, path: url.pathname, query, authorization: req.headers.authorization ?? "", body });

    const byCertificate = Boolean(this.options.tls?.clientCa) && (req.socket as TLSSocket).authorized === true;
    if (this.options.token !== undefined && req.headers.authorization !== `Bearer ${this.options.token}` && !byCertificate) {
      return this.send(res, 401, status(401, "Unauthorized", "Unauthorized"));
    }
    const path = url.pathname.replace(/\/$/, "");
    if (method === "GET" && path === "/version") {
      return this.send(res, 200, { major: "1", minor: "31", gitVersion: "v1.31.2", gitCommit: "0000000", gitTreeState: "clean", buildDate: "2024-10-22T20:28:14Z", goVersion: "go1.22.8", compiler: "gc", platform: "linux/amd64" });
    }
    if (method === "POST" && path === "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews") {
      const attrs = (body as Obj)?.["spec"]?.resourceAttributes ?? {};
      const name = `${attrs.verb} ${attrs.resource}${attrs.subresource ? `/${attrs.subresource}` : ""}`;
      const allowed = !(this.options.denied ?? []).includes(name);
      return this.send(res, 201, { ...(body as Obj), metadata: { creationTimestamp: null }, status: { allowed, ...(allowed ? { reason: "RBAC: allowed" } : {}) } });
    }
    const m = /^\/(?:api\/v1|apis\/batch\/v1)\/namespaces\/([^/]+)\/(jobs|configmaps|secrets|pods)(?:\/([^/]+)(?:\/(log))?)?$/.exec(path);
    const kind = m?.[2] as Kind | undefined;
    if (!m || !kind || (kind === "jobs") !== path.startsWith("/apis/batch/v1")) {
      return this.send(res, 404, status(404, "NotFound", "the server could not find the requested resource", {}));
    }
    const [namespace, name, sub] = [decodeURIComponent(m[1]!), m[3] ? decodeURIComponent(m[3]) : undefined, m[4]];
    const key = `${namespace}/${name}`;
    const notFound = () => this.send(res, 404, status(404, "NotFound", `${qualified(kind)} "${name}" not found`, { name, ...(kinds[kind].group ? { group: kinds[kind].group } : {}), kind }));

    if (sub === "log") {
      if (kind !== "pods" || method !== "GET") return notFound();
      return this.serveLog(res, namespace, name!, url.searchParams);
    }
    if (!name) {
      if (method === "GET") {
        const selector = parseSelector(url.searchParams.get("labelSelector") ?? "");
        if (url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") return this.serveWatch(req, res, kind, namespace, selector, url.searchParams);
        let items = this.list(kind, namespace).filter((o) => selector(o["metadata"].labels ?? {}));
        const limit = Number(url.searchParams.get("limit") ?? "0");
        if (limit > 0) items = items.slice(0, limit);
        return this.send(res, 200, { kind: kinds[kind].list, apiVersion: kinds[kind].apiVersion, metadata: { resourceVersion: String(this.rv) }, items });
      }
      if (method === "POST" && kind !== "pods") return this.create(res, kind, namespace, body as Obj);
      return this.send(res, 405, status(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`));
    }
    const existing = this.store[kind].get(key);
    if (method === "GET") return existing ? this.send(res, 200, existing) : notFound();
    if (method === "PUT" && kind !== "jobs" && kind !== "pods") {
      if (!existing) return notFound();
      const next = body as Obj;
      if (next?.["metadata"]?.name !== name) return this.send(res, 400, status(400, "BadRequest", "the name of the object does not match the name on the URL"));
      const replaced = { ...next, metadata: { ...next["metadata"], namespace, uid: existing["metadata"].uid, creationTimestamp: existing["metadata"].creationTimestamp, resourceVersion: this.nextRv() } };
      this.store[kind].set(key, replaced);
      return this.send(res, 200, replaced);
    }
    if (method === "DELETE") {
      if (!existing) return notFound();
      const policy = url.searchParams.get("propagationPolicy") ?? (body as Obj | undefined)?.["propagationPolicy"] ?? (kind === "jobs" ? "Orphan" : "Background");
      this.store[kind].delete(key);
      if (kind === "jobs") {
        const uid = existing["metadata"].uid as string;
        if (policy === "Orphan") {
          for (const pod of this.list("pods", namespace)) {
            if (pod["metadata"].ownerReferences?.some((r: Obj) => r["uid"] === uid)) {
              const stored = this.store.pods.get(`${namespace}/${pod["metadata"].name}`)!;
              stored["metadata"].ownerReferences = [];
              this.emitPod("MODIFIED", stored);
            }
          }
        } else {
          this.collectPods(namespace, uid);
        }
      }
      if (kind === "pods") this.removePod(namespace, name);
      return this.send(res, 200, status(200, "", "", { name, ...(kinds[kind].group ? { group: kinds[kind].group } : {}), kind, uid: existing["metadata"].uid }));
    }
    return this.send(res, 405, status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"));
  }

  private create(res: ServerResponse, kind: Exclude<Kind, "pods">, namespace: string, body: Obj | undefined): void {
    const name = body?.["metadata"]?.name as string | undefined;
    if (!this.namespaces.has(namespace)) {
      return this.send(res, 404, status(404, "NotFound", `namespaces "${namespace}" not found`, { name: namespace, kind: "namespaces" }));
    }
    if (!body || body["kind"] !== kinds[kind].kind || !name) {
      return this.send(
        res,
        422,
        status(422, "Invalid", `${kinds[kind].kind} "${name ?? ""}" is invalid: metadata.name: Required value: name or generateName is required`, { name: name ?? "", kind, causes: [{ reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name" }] }),
      );
    }
    if (body["metadata"].namespace && body["metadata"].namespace !== namespace) {
      return this.send(res, 400, status(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request"));
    }
    const key = `${namespace}/${name}`;
    if (this.store[kind].has(key)) {
      return this.send(res, 409, status(409, "AlreadyExists", `${qualified(kind)} "${name}" already exists`, { name, ...(kinds[kind].group ? { group: kinds[kind].group } : {}), kind }));
    }
    const uid = randomUUID();
    const created: Obj = clone(body);
    created["metadata"] = { ...created["metadata"], namespace, uid, resourceVersion: this.nextRv(), creationTimestamp: seconds(new Date()) };
    if (kind === "secrets" && created["stringData"]) {
      created["data"] = { ...(created["data"] ?? {}), ...Object.fromEntries(Object.entries(created["stringData"] as Record<string, string>).map(([k, v]) => [k, Buffer.from(v).toString("base64")])) };
      delete created["stringData"];
    }
    if (kind === "jobs") {
      created["metadata"].generation = 1;
      const controllerLabels = { "batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name, "controller-uid": uid, "job-name": name };
      created["metadata"].labels = { ...(created["metadata"].labels ?? {}) };
      created["spec"] = {
        parallelism: 1,
        completions: 1,
        completionMode: "NonIndexed",
        suspend: false,
        podReplacementPolicy: "Failed",
        manualSelector: false,
        ...created["spec"],
        selector: { matchLabels: { "batch.kubernetes.io/controller-uid": uid } },
      };
      created["spec"].template.metadata = { ...(created["spec"].template.metadata ?? {}), labels: { ...(created["spec"].template.metadata?.labels ?? {}), ...controllerLabels } };
      created["status"] = {};
    }
    this.store[kind].set(key, created);
    this.send(res, 201, created);
    if (kind === "jobs" && !created["spec"].suspend) this.createPodFor(created);
  }

  private serveWatch(req: IncomingMessage, res: ServerResponse, kind: Kind, namespace: string, selector: (labels: Obj) => boolean, params: URLSearchParams): void {
    if (kind !== "pods") return this.send(res, 405, status(405, "MethodNotAllowed", "watch is only served for pods here"));
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked", "cache-control": "no-cache, private" });
    const from = params.get("resourceVersion");
    if (from && from !== "0") {
      for (const e of this.podEvents) {
        if (e.rv > Number(from) && e.object["metadata"].namespace === namespace && selector(e.object["metadata"].labels ?? {})) res.write(JSON.stringify({ type: e.type, object: e.object }) + "\n");
      }
    } else {
      for (const pod of this.list("pods", namespace)) if (selector(pod["metadata"].labels ?? {})) res.write(JSON.stringify({ type: "ADDED", object: pod }) + "\n");
    }
    const watcher: Watcher = { namespace, selector, res };
    this.watchers.add(watcher);
    const timeout = Number(params.get("timeoutSeconds") ?? "0");
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    const stop = () => {
      if (timer) clearTimeout(timer);
      this.watchers.delete(watcher);
    };
    req.on("close", stop);
    res.on("close", stop);
  }

  private serveLog(res: ServerResponse, namespace: string, pod: string, params: URLSearchParams): void {
    const stored = this.store.pods.get(`${namespace}/${pod}`);
    if (!stored) return this.send(res, 404, status(404, "NotFound", `pods "${pod}" not found`, { name: pod, kind: "pods" }));
    const container = params.get("container") ?? "train";
    if (stored["status"].phase === "Pending") {
      return this.send(res, 400, status(400, "BadRequest", `container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`));
    }
    const since = params.get("sinceTime");
    const sinceMs = since ? Date.parse(since) : Number.NEGATIVE_INFINITY;
    const withTs = params.get("timestamps") === "true";
    let out = (this.logs.get(`${namespace}/${pod}/${container}`) ?? [])
      .filter((l) => Date.parse(l.ts) >= sinceMs)
      .map((l) => `${withTs ? `${l.ts} ` : ""}${l.text}\n`)
      .join("");
    const limit = Number(params.get("limitBytes") ?? "0");
    if (limit > 0 && Buffer.byteLength(out) > limit) out = Buffer.from(out).subarray(0, limit).toString("utf8");
    res.writeHead(200, { "content-type": "text/plain", "cache-control": "no-cache, private" });
    res.end(out);
  }
}
