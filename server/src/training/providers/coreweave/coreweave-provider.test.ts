import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../../platform/errors/app-error.js";
import type { LaunchSpec } from "../../compute-provider.js";
import { FakeKubeApiServer, type KubeletScript } from "../../../../test/support/fake-kube-apiserver.js";
import { describeComputeProviderContract } from "../../compute-provider.contract.js";
import { loadPriceCatalog } from "../../catalog/price-catalog.js";
import { createCoreWeaveComputeProvider, type CoreWeaveProviderConfig } from "./index.js";

const NS = "tenant-acme-ml";
const TOKEN = "cw-token-0123456789abcdef";

/** A kubeconfig shaped like the one CoreWeave issues: one cluster, a bearer token, the tenant namespace. */
function kubeconfig(server: string, namespace = NS, token = TOKEN): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: coreweave",
    "  cluster:",
    `    server: ${server}`,
    "    insecure-skip-tls-verify: true",
    "contexts:",
    "- name: coreweave",
    "  context:",
    "    cluster: coreweave",
    "    user: token-user",
    ...(namespace ? [`    namespace: ${namespace}`] : []),
    "current-context: coreweave",
    "users:",
    "- name: token-user",
    "  user:",
    `    token: ${token}`,
    "",
  ].join("\n");
}

function launchSpec(over: Partial<LaunchSpec> = {}): LaunchSpec {
  return {
    jobName: "trainingJobs/gpu-1",
    image: "ghcr.io/acme/train:2.0",
    command: ["python", "train.py"],
    args: [],
    env: { ARTENIC_JOB_TOKEN: "job-token-secret" },
    codePath: "",
    cpus: 8,
    memoryBytes: 64 * 1024 ** 3,
    gpuType: "nvidia-a100-80gb",
    gpuCount: 2,
    region: "ORD1",
    instanceType: "gpu-a100-80gb-1",
    spot: false,
    maxRuntimeMs: 3_600_000,
    ...over,
  };
}

describe("coreweave adapter: the kubernetes adapter with CoreWeave's kubeconfig, GPU classes and region", () => {
  let fake: FakeKubeApiServer;
  const make = (over: Partial<CoreWeaveProviderConfig> = {}) =>
    createCoreWeaveComputeProvider({
      kubeconfig: kubeconfig(fake.url),
      namespace: "",
      region: "ORD1",
      defaultImage: "python:3.12-slim",
      helperImage: "busybox:1.36",
      offerings: loadPriceCatalog().offerings("coreweave", { region: "ORD1" }),
      cleanupWaitMs: 3000,
      ...over,
    });
  beforeEach(async () => {
    fake = await FakeKubeApiServer.start({ token: TOKEN, namespaces: [NS], gcDelayMs: 5 });
  });
  afterEach(async () => fake.close());

  it("creates the Job in the kubeconfig's namespace with the token, GPU requests, the GPU-class affinity and the region selector", async () => {
    const provider = make();
    expect(provider.id).toBe("coreweave");
    const handle = await provider.submit(launchSpec());
    expect(handle).toMatchObject({ provider: "coreweave", id: "artenic-gpu-1", region: "ORD1", instanceType: "gpu-a100-80gb-1" });
    expect(handle.data["namespace"]).toBe(NS);
    expect(fake.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const pod = fake.get("jobs", NS, "artenic-gpu-1")!["spec"].template.spec;
    expect(pod.nodeSelector).toEqual({ "topology.kubernetes.io/region": "ORD1" });
    expect(pod.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: "gpu.nvidia.com/class", operator: "In", values: ["A100_NVLINK_80GB", "A100_PCIE_80GB"] }] }],
        },
      },
    });
    expect(pod.containers[0].resources).toEqual({
      requests: { cpu: "8", memory: "64Gi", "nvidia.com/gpu": "2" },
      limits: { cpu: "8", memory: "64Gi", "nvidia.com/gpu": "2" },
    });
  });

  it("takes every class of a family for a generic GPU type, none for a CPU job, and refuses a type CoreWeave has no class for", async () => {
    const provider = make({ region: "" });
    await provider.submit(launchSpec({ jobName: "trainingJobs/any-a100", gpuType: "nvidia-a100", gpuCount: 1 }));
    const anyA100 = fake.get("jobs", NS, "artenic-any-a100")!["spec"].template.spec;
    expect(anyA100.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values).toEqual([
      "A100_NVLINK",
      "A100_NVLINK_80GB",
      "A100_PCIE_40GB",
      "A100_PCIE_80GB",
    ]);
    expect(anyA100.nodeSelector).toBeUndefined();

    await provider.submit(launchSpec({ jobName: "trainingJobs/cpu-only", gpuType: "", gpuCount: 0 }));
    const cpu = fake.get("jobs", NS, "artenic-cpu-only")!["spec"].template.spec;
    expect(cpu.affinity).toBeUndefined();
    expect(cpu.containers[0].resources.requests["nvidia.com/gpu"]).toBeUndefined();

    const before = fake.requests.length;
    const error = await provider.submit(launchSpec({ jobName: "trainingJobs/tpu", gpuType: "google-tpu-v5" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).reason).toBe("GPU_TYPE_NOT_OFFERED");
    expect((error as AppError).message).toBe("resources.gpu_type: google-tpu-v5 has no gpu.nvidia.com/class node class on this cluster");
    // Nothing was created for the refused job (only the idempotency read).
    expect(fake.calls().slice(before).filter((c) => !c.startsWith("GET"))).toEqual([]);
  });

  it("reads the credentials from the kubeconfig only, refusing exec plugins, file references and a missing namespace", async () => {
    expect(await make().testConnection()).toMatchObject({ ok: true });
    expect(await make({ kubeconfig: kubeconfig(fake.url, NS, "wrong-token") }).testConnection()).toMatchObject({ ok: false, message: expect.stringContaining("401") });
    const exec = kubeconfig(fake.url).replace(`    token: ${TOKEN}\n`, "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/sh\n");
    expect(() => make({ kubeconfig: exec })).toThrow("credentials.kubeconfig: uses an exec or auth-provider plugin");
    const file = kubeconfig(fake.url).replace("    insecure-skip-tls-verify: true\n", "    certificate-authority: /etc/passwd\n");
    expect(() => make({ kubeconfig: file })).toThrow("credentials.kubeconfig: refers to files");
    expect(() => make({ kubeconfig: "not: [a kubeconfig" })).toThrow(/credentials.kubeconfig/);
    const error = (() => {
      try {
        make({ kubeconfig: kubeconfig(fake.url, "") });
      } catch (e) {
        return e as AppError;
      }
      return undefined;
    })();
    expect(error?.reason).toBe("COREWEAVE_NAMESPACE_MISSING");
    // An explicit namespace wins over the kubeconfig's.
    await make({ kubeconfig: kubeconfig(fake.url, "") , namespace: NS }).submit(launchSpec({ jobName: "trainingJobs/explicit" }));
    expect(fake.get("jobs", NS, "artenic-explicit")).toBeDefined();
  });
});

describe("coreweave adapter: the shared ComputeProvider contract, against the fake API server with a fake kubelet", () => {
  let fake: FakeKubeApiServer;
  const behaviours = new Map<string, (env: Readonly<Record<string, string>>) => KubeletScript>();
  const workload = (script: string, behaviour: (env: Readonly<Record<string, string>>) => KubeletScript) => {
    behaviours.set(script, behaviour);
    return { image: "busybox:1.36", command: ["sh", "-c", script] };
  };
  beforeAll(async () => {
    fake = await FakeKubeApiServer.start({ token: TOKEN, namespaces: [NS], gcDelayMs: 5, kubelet: (pod, env) => behaviours.get(pod["spec"].containers[0].command?.[2])?.(env) });
  });
  afterAll(async () => fake?.close());

  describeComputeProviderContract(
    "coreweave",
    () =>
      createCoreWeaveComputeProvider({
        kubeconfig: kubeconfig(fake.url),
        namespace: NS,
        region: "LGA1",
        defaultImage: "python:3.12-slim",
        helperImage: "busybox:1.36",
        offerings: loadPriceCatalog().offerings("coreweave"),
        cleanupWaitMs: 3000,
      }),
    {
      succeed: (file, content, envName) =>
        workload(`printf %s '${content}' > "$ARTENIC_OUTPUT_DIR/${file}" && printf %s "$${envName}" > "$ARTENIC_OUTPUT_DIR/${file}.env"`, (env) => ({
          exitCode: 0,
          files: { [file]: content, [`${file}.env`]: env[envName] ?? "" },
        })),
      fail: (code) => workload(`exit ${code}`, () => ({ exitCode: code })),
      runForever: () => workload("sleep infinity", () => ({})),
      log: (line) => workload(`echo '${line}'`, () => ({ exitCode: 0, logs: [line] })),
      preempt: async (_provider, handle) => fake.disruptPod(NS, handle.data["job"]!, "preemption"),
      region: "LGA1",
      pollIntervalMs: 10,
      timeoutMs: 5000,
    },
  );
});
