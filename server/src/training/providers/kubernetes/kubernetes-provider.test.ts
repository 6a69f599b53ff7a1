import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { AppError } from "../../../platform/errors/app-error.js";
import type { ComputeProvider, LaunchSpec } from "../../compute-provider.js";
import { FakeKubeApiServer, type KubeletScript } from "../../../../test/support/fake-kube-apiserver.js";
import { describeComputeProviderContract } from "../../compute-provider.contract.js";
import { loadPriceCatalog } from "../../catalog/price-catalog.js";
import { createKubernetesComputeProvider, type KubernetesProviderConfig } from "./index.js";
import { outputsScript } from "./kubernetes-outputs.js";

const NS = "artenic-training";
const TOKEN = "test-token-0123456789";

function launchSpec(over: Partial<LaunchSpec> = {}): LaunchSpec {
  return {
    jobName: "trainingJobs/train-1",
    image: "ghcr.io/acme/train:1.4",
    command: ["python", "train.py"],
    args: ["--epochs", "3"],
    env: { LEARNING_RATE: "0.1", HF_TOKEN: "hf_secret_value", ARTENIC_JOB_TOKEN: "job-token-secret" },
    codePath: "",
    cpus: 0.5,
    memoryBytes: 4 * 1024 ** 3,
    gpuType: "",
    gpuCount: 0,
    region: "cluster",
    instanceType: "pod-cpu-2",
    spot: false,
    maxRuntimeMs: 3_600_000,
    ...over,
  };
}

describe("kubernetes adapter against a fake API server", () => {
  let fake: FakeKubeApiServer;
  let work: string;
  let provider: ComputeProvider;
  const make = (over: Partial<KubernetesProviderConfig> = {}) =>
    createKubernetesComputeProvider({
      apiServerUrl: fake.url,
      namespace: NS,
      token: TOKEN,
      insecureSkipTlsVerify: true,
      defaultImage: "python:3.12-slim",
      helperImage: "busybox:1.36",
      cleanupWaitMs: 3000,
      ...over,
    });

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "artenic-k8s-"));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  beforeEach(async () => {
    fake = await FakeKubeApiServer.start({ token: TOKEN, gcDelayMs: 20 });
    provider = make();
  });
  afterEach(async () => fake.close());

  it("submits a Secret, a ConfigMap with the code tree and a Job, with exact shapes and no secret value in the Job", async () => {
    const code = join(work, "code-tree");
    mkdirSync(join(code, "pkg"), { recursive: true });
    writeFileSync(join(code, "train.py"), "print('hello')\n");
    writeFileSync(join(code, "pkg", "model.bin"), Buffer.from([0, 1, 2, 255]));
    writeFileSync(join(code, "run.sh"), "#!/bin/sh\nexec python train.py\n");
    chmodSync(join(code, "run.sh"), 0o755);
    const gpu = make({ gpuTypeLabel: "artenic.ai/gpu-type", spotNodeSelector: { "cloud.google.com/gke-spot": "true" }, spotTolerations: [{ key: "cloud.google.com/gke-spot", value: "true", effect: "NoSchedule" }] });
    const handle = await gpu.submit(launchSpec({ codePath: code, gpuType: "nvidia-t4", gpuCount: 1, spot: true }));

    expect(handle).toMatchObject({ provider: "kubernetes", id: "artenic-train-1", region: "cluster", instanceType: "pod-cpu-2" });
    expect(handle.data).toMatchObject({ namespace: NS, job: "artenic-train-1", configMap: "artenic-train-1-code", secret: "artenic-train-1-env", labelSelector: "artenic.ai/training-job=train-1" });
    expect(fake.calls()).toEqual([
      `GET /apis/batch/v1/namespaces/${NS}/jobs/artenic-train-1`,
      `POST /api/v1/namespaces/${NS}/secrets`,
      `POST /api/v1/namespaces/${NS}/configmaps`,
      `POST /apis/batch/v1/namespaces/${NS}/jobs`,
    ]);
    expect(fake.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);

    const labels = { "artenic.ai/training-job": "train-1", "app.kubernetes.io/managed-by": "artenic", "app.kubernetes.io/component": "training" };
    const secret = fake.get("secrets", NS, "artenic-train-1-env")!;
    expect(secret["metadata"].labels).toEqual(labels);
    expect(secret["type"]).toBe("Opaque");
    expect(Object.fromEntries(Object.entries(secret["data"] as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]))).toEqual({
      ARTENIC_JOB_TOKEN: "job-token-secret",
      HF_TOKEN: "hf_secret_value",
      LEARNING_RATE: "0.1",
    });

    const cm = fake.get("configmaps", NS, "artenic-train-1-code")!;
    expect(cm["metadata"].labels).toEqual(labels);
    expect(cm["data"]).toEqual({ f0001: "#!/bin/sh\nexec python train.py\n", f0002: "print('hello')\n" });
    expect(cm["binaryData"]).toEqual({ f0000: Buffer.from([0, 1, 2, 255]).toString("base64") });

    const job = fake.get("jobs", NS, "artenic-train-1")!;
    expect(job["metadata"].labels).toEqual(labels);
    expect(job["metadata"].annotations).toEqual({ "artenic.ai/training-job-name": "trainingJobs/train-1" });
    expect(job["spec"].backoffLimit).toBe(0);
    expect(job["spec"].activeDeadlineSeconds).toBe(3600);
    expect(job["spec"].podFailurePolicy).toEqual({ rules: [{ action: "FailJob", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] }] });
    const pod = job["spec"].template.spec;
    expect(job["spec"].template.metadata.labels).toMatchObject(labels);
    expect(pod.restartPolicy).toBe("Never");
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.nodeSelector).toEqual({ "artenic.ai/gpu-type": "nvidia-t4", "cloud.google.com/gke-spot": "true" });
    expect(pod.tolerations).toEqual([{ key: "cloud.google.com/gke-spot", operator: "Equal", value: "true", effect: "NoSchedule" }]);
    expect(pod.volumes).toEqual([
      { name: "output", emptyDir: {} },
      {
        name: "code",
        configMap: {
          name: "artenic-train-1-code",
          items: [
            { key: "f0000", path: "pkg/model.bin" },
            { key: "f0001", path: "run.sh", mode: 0o755 },
            { key: "f0002", path: "train.py" },
          ],
        },
      },
    ]);
    expect(pod.initContainers).toEqual([
      {
        name: "collect-outputs",
        image: "busybox:1.36",
        restartPolicy: "Always",
        command: ["sh", "-c", outputsScript("/artenic/output")],
        resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
        volumeMounts: [{ name: "output", mountPath: "/artenic/output", readOnly: true }],
      },
    ]);
    const container = pod.containers[0];
    expect(container).toEqual({
      name: "train",
      image: "ghcr.io/acme/train:1.4",
      command: ["python", "train.py"],
      args: ["--epochs", "3"],
      workingDir: "/artenic/code",
      env: [
        { name: "ARTENIC_CODE_DIR", value: "/artenic/code" },
        { name: "ARTENIC_OUTPUT_DIR", value: "/artenic/output" },
        { name: "ARTENIC_JOB_TOKEN", valueFrom: { secretKeyRef: { name: "artenic-train-1-env", key: "ARTENIC_JOB_TOKEN" } } },
        { name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: "artenic-train-1-env", key: "HF_TOKEN" } } },
        { name: "LEARNING_RATE", valueFrom: { secretKeyRef: { name: "artenic-train-1-env", key: "LEARNING_RATE" } } },
      ],
      resources: { requests: { cpu: "500m", memory: "4Gi", "nvidia.com/gpu": "1" }, limits: { cpu: "500m", memory: "4Gi", "nvidia.com/gpu": "1" } },
      volumeMounts: [
        { name: "output", mountPath: "/artenic/output" },
        { name: "code", mountPath: "/artenic/code", readOnly: true },
      ],
    });
    // No secret value travels in the Job.
    expect(JSON.stringify(fake.requests.find((r) => r.path.endsWith("/jobs") && r.method === "POST")!.body)).not.toMatch(/hf_secret_value|job-token-secret/);
    // The "job controller" made one pod, labelled for the adapter's selector.
    expect(fake.podsOf(NS, "artenic-train-1").map((p) => p["metadata"].labels["artenic.ai/training-job"])).toEqual(["train-1"]);
  });

  it("is idempotent: the same job name finds the existing Job without creating anything", async () => {
    const first = await provider.submit(launchSpec());
    const before = fake.requests.length;
    const again = await provider.submit(launchSpec());
    expect(again).toEqual(first);
    expect(fake.calls().slice(before)).toEqual([`GET /apis/batch/v1/namespaces/${NS}/jobs/artenic-train-1`]);
    expect(fake.list("jobs", NS)).toHaveLength(1);
  });

  it("replaces a Secret left by an interrupted earlier attempt, and refuses a Job name taken by something else", async () => {
    // An attempt that stopped after its Secret: the retry replaces the Secret with its own values.
    fake.requests.length = 0;
    const stale = { apiVersion: "v1", kind: "Secret", metadata: { name: "artenic-retry-env" }, type: "Opaque", data: { OLD: "eA==" } };
    await fetch(`${fake.url}/api/v1/namespaces/${NS}/secrets`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(stale) });
    fake.requests.length = 0;
    await provider.submit(launchSpec({ jobName: "trainingJobs/retry", env: { A: "1" } }));
    expect(fake.calls()).toEqual([
      `GET /apis/batch/v1/namespaces/${NS}/jobs/artenic-retry`,
      `POST /api/v1/namespaces/${NS}/secrets`,
      `PUT /api/v1/namespaces/${NS}/secrets/artenic-retry-env`,
      `POST /apis/batch/v1/namespaces/${NS}/jobs`,
    ]);
    expect(fake.get("secrets", NS, "artenic-retry-env")!["data"]).toEqual({ A: Buffer.from("1").toString("base64") });

    const foreign = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "artenic-foreign" }, spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "x", image: "busybox" }] } } } };
    await fetch(`${fake.url}/apis/batch/v1/namespaces/${NS}/jobs`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify(foreign) });
    const error = await provider.submit(launchSpec({ jobName: "trainingJobs/foreign" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).reason).toBe("KUBERNETES_NAME_TAKEN");
  });

  it("follows the Job: pending with the waiting reason, running, then succeeded with exit code 0", async () => {
    const handle = await provider.submit(launchSpec());
    expect(await provider.poll(handle)).toMatchObject({ state: "provisioning", message: expect.stringContaining("Pending") });
    fake.setPodWaiting(NS, "artenic-train-1", "ImagePullBackOff", 'Back-off pulling image "ghcr.io/acme/train:1.4"');
    expect((await provider.poll(handle)).message).toBe('waiting: ImagePullBackOff: Back-off pulling image "ghcr.io/acme/train:1.4"');
    fake.startJob(NS, "artenic-train-1", new Date("2026-11-26T10:00:00Z"));
    expect(await provider.poll(handle)).toMatchObject({ state: "running", startTime: new Date("2026-11-26T10:00:00Z") });
    fake.succeedJob(NS, "artenic-train-1", new Date("2026-11-26T10:30:00Z"));
    expect(await provider.poll(handle)).toMatchObject({ state: "succeeded", exitCode: 0, endTime: new Date("2026-11-26T10:30:00Z") });
  });

  it("reports failures with the exit code, OOM kills, and a passed deadline as failed", async () => {
    const a = await provider.submit(launchSpec({ jobName: "trainingJobs/exit-3" }));
    fake.startJob(NS, "artenic-exit-3");
    fake.failJob(NS, "artenic-exit-3", 3);
    expect(await provider.poll(a)).toMatchObject({ state: "failed", exitCode: 3, message: "exit code 3" });

    const b = await provider.submit(launchSpec({ jobName: "trainingJobs/oom" }));
    fake.startJob(NS, "artenic-oom");
    fake.failJob(NS, "artenic-oom", 137, "OOMKilled");
    expect(await provider.poll(b)).toMatchObject({ state: "failed", exitCode: 137, message: "out of memory (OOMKilled), exit code 137" });

    const c = await provider.submit(launchSpec({ jobName: "trainingJobs/slow" }));
    fake.startJob(NS, "artenic-slow");
    fake.exceedDeadline(NS, "artenic-slow");
    expect(await provider.poll(c)).toMatchObject({ state: "failed", message: "max runtime exceeded: the Job ran longer than its activeDeadlineSeconds (3600)" });
  });

  it("reports evictions, scheduler preemptions and node shutdowns as preempted, even before the Job controller reacts", async () => {
    const a = await provider.submit(launchSpec({ jobName: "trainingJobs/evicted" }));
    fake.startJob(NS, "artenic-evicted");
    fake.disruptPod(NS, "artenic-evicted", "eviction");
    expect(await provider.poll(a)).toMatchObject({ state: "preempted", message: expect.stringMatching(/^preempted: TerminationByKubelet: The node was low on resource: memory/) });

    const b = await provider.submit(launchSpec({ jobName: "trainingJobs/preempted", spot: true }));
    fake.startJob(NS, "artenic-preempted");
    fake.disruptPod(NS, "artenic-preempted", "preemption", false);
    expect(await provider.poll(b)).toMatchObject({ state: "preempted", message: "preempted: PreemptionByScheduler: default-scheduler: preempting to accommodate a higher priority pod" });

    const c = await provider.submit(launchSpec({ jobName: "trainingJobs/shutdown" }));
    fake.startJob(NS, "artenic-shutdown");
    fake.disruptPod(NS, "artenic-shutdown", "node-shutdown");
    expect((await provider.poll(c)).state).toBe("preempted");
  });

  it("reads the pod's log incrementally: no line twice, none lost, lines sharing a timestamp included", async () => {
    const handle = await provider.submit(launchSpec());
    expect(await provider.readLogs!(handle, "")).toEqual({ lines: [], cursor: "" });
    fake.startJob(NS, "artenic-train-1");
    fake.appendLog(NS, "artenic-train-1", ["epoch 1", "loss=0.9"], new Date("2026-11-26T10:00:01Z"));
    const first = await provider.readLogs!(handle, "");
    expect(first.lines).toEqual(["epoch 1", "loss=0.9"]);
    const quiet = await provider.readLogs!(handle, first.cursor);
    expect(quiet).toEqual({ lines: [], cursor: first.cursor });
    fake.appendLog(NS, "artenic-train-1", ["same a", "same b"], new Date("2026-11-26T10:00:01Z"), true);
    const second = await provider.readLogs!(handle, first.cursor);
    expect(second.lines).toEqual(["same a", "same b"]);
    fake.appendLog(NS, "artenic-train-1", ["epoch 2"], new Date("2026-11-26T10:00:05Z"));
    const third = await provider.readLogs!(handle, second.cursor);
    expect(third.lines).toEqual(["epoch 2"]);
    const logCalls = fake.requests.filter((r) => r.path.endsWith("/log"));
    expect(logCalls.at(-1)?.query).toMatchObject({ container: "train", timestamps: "true", sinceTime: "2026-11-26T10:00:01Z" });
  });

  it("cancel deletes the Job in the background; cleanup deletes everything, waits on a watch for the pods, and tolerates what is gone", async () => {
    const code = join(work, "one-file.py");
    writeFileSync(code, "print(1)\n");
    const handle = await provider.submit(launchSpec({ codePath: code }));
    fake.startJob(NS, "artenic-train-1");
    await provider.cancel(handle);
    const del = fake.requests.at(-1)!;
    expect(`${del.method} ${del.path}`).toBe(`DELETE /apis/batch/v1/namespaces/${NS}/jobs/artenic-train-1`);
    expect(del.query["propagationPolicy"]).toBe("Background");
    expect(await provider.poll(handle)).toEqual({ state: "gone", message: "the Kubernetes Job no longer exists" });

    fake.requests.length = 0;
    await provider.cleanup(handle);
    expect(fake.calls()).toEqual([
      `DELETE /apis/batch/v1/namespaces/${NS}/jobs/artenic-train-1`,
      `DELETE /api/v1/namespaces/${NS}/configmaps/artenic-train-1-code`,
      `DELETE /api/v1/namespaces/${NS}/secrets/artenic-train-1-env`,
      `GET /api/v1/namespaces/${NS}/pods`,
      ...fake.calls().slice(4),
    ]);
    expect(fake.list("jobs", NS)).toEqual([]);
    expect(fake.list("configmaps", NS)).toEqual([]);
    expect(fake.list("secrets", NS)).toEqual([]);
    expect(fake.list("pods", NS)).toEqual([]);
    // Again: everything is already gone, and that is success.
    await provider.cleanup(handle);
  });

  it("cleanup watches pods until they are gone, and fails while they are still terminating", async () => {
    const slow = make({ cleanupWaitMs: 400 });
    const handle = await slow.submit(launchSpec());
    fake.startJob(NS, "artenic-train-1");
    fake.holdPods = true;
    const error = await slow.cleanup(handle).catch((e: unknown) => e);
    expect((error as AppError).reason).toBe("KUBERNETES_PODS_TERMINATING");
    expect((error as AppError).kind).toBe("unavailable");
    const watch = fake.requests.find((r) => r.query["watch"] === "true");
    expect(watch).toMatchObject({ path: `/api/v1/namespaces/${NS}/pods`, query: { labelSelector: "artenic.ai/training-job=train-1" } });
    setTimeout(() => fake.releasePods(), 100);
    await make({ cleanupWaitMs: 3000 }).cleanup(handle);
    expect(fake.list("pods", NS)).toEqual([]);
  });

  it("collects the outputs the sidecar dumps to its log, and none when the pod printed nothing", async () => {
    const handle = await provider.submit(launchSpec());
    expect((await provider.collectArtifacts(handle)).files).toEqual([]);
    fake.startJob(NS, "artenic-train-1");
    const { tarOf } = await import("../../../../test/support/fake-kube-apiserver.js");
    const { gzipSync: gz } = await import("node:zlib");
    const b64 = gz(tarOf({ "model.onnx": "ONNX-BYTES", "sub/metrics.json": '{"acc":0.9}' })).toString("base64");
    fake.appendLog(NS, "artenic-train-1", ["ARTENIC-OUTPUTS-BEGIN", ...b64.match(/.{1,76}/g)!], new Date(), false, "collect-outputs");
    expect((await provider.collectArtifacts(handle).catch((e: AppError) => e.reason))).toBe("KUBERNETES_OUTPUTS_INCOMPLETE");
    fake.appendLog(NS, "artenic-train-1", ["ARTENIC-OUTPUTS-END"], new Date(), false, "collect-outputs");
    fake.succeedJob(NS, "artenic-train-1");
    const files = (await provider.collectArtifacts(handle)).files;
    expect(await Promise.all(files.map(async (f) => [f.name, Buffer.from(await f.read()).toString()]))).toEqual([
      ["model.onnx", "ONNX-BYTES"],
      ["sub/metrics.json", '{"acc":0.9}'],
    ]);
    expect(fake.requests.at(-1)?.query).toMatchObject({ container: "collect-outputs" });
  });

  it("starts in the code's working directory and ships the checkpoint a retry resumes from", async () => {
    const code = join(work, "resume-code");
    mkdirSync(join(code, "src"), { recursive: true });
    writeFileSync(join(code, "src", "train.py"), "print('resume')\n");
    const checkpoint = join(work, "step-200.ckpt");
    writeFileSync(checkpoint, Buffer.from([1, 2, 3, 4]));
    await provider.submit(launchSpec({ codePath: code, workingDir: "src", resumeFrom: checkpoint }));
    const cm = fake.get("configmaps", NS, "artenic-train-1-code")!;
    expect(cm["data"]).toEqual({ f0000: "print('resume')\n" });
    expect(cm["binaryData"]).toEqual({ resume: Buffer.from([1, 2, 3, 4]).toString("base64") });
    const pod = fake.get("jobs", NS, "artenic-train-1")!["spec"].template.spec;
    expect(pod.volumes).toContainEqual({ name: "resume", configMap: { name: "artenic-train-1-code", items: [{ key: "resume", path: "step-200.ckpt" }] } });
    const train = pod.containers[0];
    expect(train.workingDir).toBe("/artenic/code/src");
    expect(train.volumeMounts).toContainEqual({ name: "resume", mountPath: "/artenic/resume", readOnly: true });
    expect(train.env.slice(0, 3)).toEqual([
      { name: "ARTENIC_CODE_DIR", value: "/artenic/code" },
      { name: "ARTENIC_OUTPUT_DIR", value: "/artenic/output" },
      { name: "ARTENIC_RESUME_FROM", value: "/artenic/resume/step-200.ckpt" },
    ]);
    const big = join(work, "big.ckpt");
    writeFileSync(big, Buffer.alloc(4096));
    const error = await make({ maxCodeBytes: 2048 }).submit(launchSpec({ jobName: "trainingJobs/big-resume", resumeFrom: big })).catch((e: unknown) => e);
    expect((error as AppError).reason).toBe("CHECKPOINT_TOO_LARGE_FOR_CONFIGMAP");
  });

  it("ships an archive through the ConfigMap with an init container that unpacks it", async () => {
    const archive = join(work, "code.tar.gz");
    writeFileSync(archive, gzipSync(Buffer.from("not really a tar")));
    await provider.submit(launchSpec({ codePath: archive }));
    const cm = fake.get("configmaps", NS, "artenic-train-1-code")!;
    expect(Object.keys(cm["binaryData"])).toEqual(["code.tar.gz"]);
    const pod = fake.get("jobs", NS, "artenic-train-1")!["spec"].template.spec;
    expect(pod.initContainers.map((c: { name: string }) => c.name)).toEqual(["unpack-code", "collect-outputs"]);
    expect(pod.initContainers.slice(0, 1)).toEqual([
      {
        name: "unpack-code",
        image: "busybox:1.36",
        command: ["sh", "-c", "tar -xzf /artenic/code-archive/code.tar.gz -C /artenic/code"],
        volumeMounts: [
          { name: "code-archive", mountPath: "/artenic/code-archive", readOnly: true },
          { name: "code", mountPath: "/artenic/code" },
        ],
      },
    ]);
  });

  it("refuses code too large for a ConfigMap before creating anything", async () => {
    const big = join(work, "big.py");
    writeFileSync(big, "x".repeat(5000));
    const error = await make({ maxCodeBytes: 1024 }).submit(launchSpec({ codePath: big })).catch((e: unknown) => e);
    expect((error as AppError).reason).toBe("CODE_TOO_LARGE_FOR_CONFIGMAP");
    expect(fake.calls().filter((c) => c.startsWith("POST"))).toEqual([]);
  });

  it("tests the connection: version, namespace access and RBAC, reporting what fails", async () => {
    expect(await provider.testConnection()).toEqual({ ok: true, message: expect.stringContaining("connected to Kubernetes v1.31.2") });
    const reviews = fake.requests.filter((r) => r.path.endsWith("selfsubjectaccessreviews")).map((r) => (r.body as { spec: { resourceAttributes: object } }).spec.resourceAttributes);
    expect(reviews).toContainEqual({ namespace: NS, verb: "get", group: "", resource: "pods", subresource: "log" });

    const wrong = await make({ token: "nope" }).testConnection();
    expect(wrong.ok).toBe(false);
    expect(wrong.message).toContain("401 Unauthorized");

    await fake.close();
    fake = await FakeKubeApiServer.start({ token: TOKEN, denied: ["create secrets", "get pods/log"] });
    const denied = await make().testConnection();
    expect(denied).toEqual({ ok: false, message: `kubernetes: in namespace ${NS} the credentials may not create secrets, get pods/log` });

    const unreachable = await make({ apiServerUrl: "http://127.0.0.1:1" }).testConnection();
    expect(unreachable.ok).toBe(false);
    expect(unreachable.message).toMatch(/read the server version failed/);
  });

  it("translates API errors: a missing namespace names it", async () => {
    const error = await make({ namespace: "missing" }).submit(launchSpec()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe('kubernetes: create Secret artenic-train-1-env failed (404 NotFound): namespaces "missing" not found');
  });
});

describe("kubernetes adapter: the shared ComputeProvider contract, against the fake API server with a fake kubelet", () => {
  let fake: FakeKubeApiServer;
  const behaviours = new Map<string, (env: Readonly<Record<string, string>>) => KubeletScript>();
  const workload = (script: string, behaviour: (env: Readonly<Record<string, string>>) => KubeletScript) => {
    behaviours.set(script, behaviour);
    return { image: "busybox:1.36", command: ["sh", "-c", script] };
  };
  beforeAll(async () => {
    fake = await FakeKubeApiServer.start({ token: TOKEN, gcDelayMs: 5, kubelet: (pod, env) => behaviours.get(pod["spec"].containers[0].command?.[2])?.(env) });
  });
  afterAll(async () => fake?.close());

  describeComputeProviderContract(
    "kubernetes",
    () =>
      createKubernetesComputeProvider({
        apiServerUrl: fake.url,
        namespace: NS,
        token: TOKEN,
        insecureSkipTlsVerify: true,
        defaultImage: "python:3.12-slim",
        helperImage: "busybox:1.36",
        offerings: loadPriceCatalog().offerings("kubernetes"),
        cleanupWaitMs: 3000,
      }),
    {
      // The real shell lines a cluster would run; the fake kubelet plays what they do.
      succeed: (file, content, envName) =>
        workload(`printf %s '${content}' > "$ARTENIC_OUTPUT_DIR/${file}" && printf %s "$${envName}" > "$ARTENIC_OUTPUT_DIR/${file}.env"`, (env) => ({
          exitCode: 0,
          files: { [file]: content, [`${file}.env`]: env[envName] ?? "" },
        })),
      fail: (code) => workload(`exit ${code}`, () => ({ exitCode: code })),
      runForever: () => workload("sleep infinity", () => ({})),
      log: (line) => workload(`echo '${line}'`, () => ({ exitCode: 0, logs: [line] })),
      preempt: async (_provider, handle) => fake.disruptPod(NS, handle.data["job"]!, "preemption"),
      pollIntervalMs: 10,
      timeoutMs: 5000,
    },
  );
});

describe("kubernetes adapter over TLS: the cluster CA verifies the API server, a client certificate authenticates", () => {
  let dir: string;
  let fake: FakeKubeApiServer;
  let pem: (name: string) => string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "artenic-k8s-tls-"));
    const selfSigned = (name: string, cn: string, san?: string) =>
      execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", `/CN=${cn}`, ...(san ? ["-addext", `subjectAltName=${san}`] : []), "-keyout", join(dir, `${name}.key`), "-out", join(dir, `${name}.crt`)], { stdio: "ignore" });
    selfSigned("server", "127.0.0.1", "IP:127.0.0.1");
    selfSigned("client", "artenic");
    pem = (name) => readFileSync(join(dir, name), "utf8");
    fake = await FakeKubeApiServer.start({ token: TOKEN, tls: { cert: readFileSync(join(dir, "server.crt")), key: readFileSync(join(dir, "server.key")), clientCa: readFileSync(join(dir, "client.crt")) } });
  });
  afterAll(async () => {
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const base = () => ({ apiServerUrl: fake.url, namespace: NS, defaultImage: "python:3.12-slim", helperImage: "busybox:1.36" });

  it("trusts the configured CA with a token, authenticates with a client certificate, and refuses an unknown CA", async () => {
    expect(await createKubernetesComputeProvider({ ...base(), token: TOKEN, certificateAuthority: pem("server.crt") }).testConnection()).toMatchObject({ ok: true });
    const mtls = createKubernetesComputeProvider({ ...base(), certificateAuthority: pem("server.crt"), clientCertificate: pem("client.crt"), clientKey: pem("client.key") });
    expect(await mtls.testConnection()).toMatchObject({ ok: true });
    await mtls.submit(launchSpec());
    expect(fake.requests.at(-1)?.authorization).toBe("");
    const untrusted = await createKubernetesComputeProvider({ ...base(), token: TOKEN }).testConnection();
    expect(untrusted.ok).toBe(false);
    expect(untrusted.message).toMatch(/certificate/i);
    expect(() => createKubernetesComputeProvider({ ...base(), apiServerUrl: "http://127.0.0.1:1", token: TOKEN })).toThrow("plain http needs insecure_skip_tls_verify");
  });
});
