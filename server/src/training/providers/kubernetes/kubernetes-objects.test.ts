import { describe, expect, it } from "vitest";
import type { V1Job, V1Pod } from "@kubernetes/client-node";
import { kubernetesNames } from "./kubernetes-names.js";
import { cpuQuantity, memoryQuantity } from "./kubernetes-objects.js";
import { mapJobStatus, podDisruption } from "./kubernetes-status.js";
import { readTar } from "./kubernetes-outputs.js";
import { tarOf } from "../../../../test/support/fake-kube-apiserver.js";

describe("kubernetes names and quantities", () => {
  it("derives names from the job id, keeping the Job name within the 63 characters of a label value", () => {
    expect(kubernetesNames("trainingJobs/train-1")).toMatchObject({ id: "train-1", job: "artenic-train-1", configMap: "artenic-train-1-code", secret: "artenic-train-1-env", labelSelector: "artenic.ai/training-job=train-1" });
    const long = "j" + "x".repeat(61) + "z";
    const names = kubernetesNames(`trainingJobs/${long}`);
    expect(names.job).toHaveLength(63);
    expect(names.job).toMatch(/^artenic-jx+-[0-9a-f]{8}$/);
    expect(kubernetesNames(`trainingJobs/${long.slice(0, 62)}y`).job).not.toBe(names.job);
    expect(names.labels["artenic.ai/training-job"]).toBe(long);
    expect(() => kubernetesNames("trainingJobs/Not_An_Id")).toThrow();
  });

  it("writes CPU and memory as Kubernetes quantities", () => {
    expect([cpuQuantity(0.5), cpuQuantity(2), cpuQuantity(0.25), cpuQuantity(1.001)]).toEqual(["500m", "2", "250m", "1001m"]);
    expect([memoryQuantity(2 * 1024 ** 3), memoryQuantity(512 * 1024 ** 2), memoryQuantity(1000)]).toEqual(["2Gi", "512Mi", "1000"]);
  });
});

describe("kubernetes status mapping", () => {
  const job = (status: NonNullable<V1Job["status"]>, spec: Partial<NonNullable<V1Job["spec"]>> = {}): V1Job => ({ metadata: { name: "j" }, spec: { template: {}, ...spec }, status });
  const at = new Date("2026-11-26T10:00:00Z");

  it("maps interim conditions and special states", () => {
    expect(mapJobStatus(undefined, [])).toEqual({ state: "gone", message: "the Kubernetes Job no longer exists" });
    expect(mapJobStatus(job({ conditions: [{ type: "SuccessCriteriaMet", status: "True", lastTransitionTime: at }] }), [])).toMatchObject({ state: "succeeded", endTime: at });
    expect(mapJobStatus(job({ conditions: [{ type: "FailureTarget", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }] }), [])).toMatchObject({
      state: "failed",
      message: "BackoffLimitExceeded: Job has reached the specified backoff limit",
    });
    expect(mapJobStatus(job({ conditions: [{ type: "Failed", status: "False" }] }), [])).toMatchObject({ state: "provisioning" });
    expect(mapJobStatus(job({}, { suspend: true }), [])).toMatchObject({ state: "provisioning", message: "the Job is suspended" });
    const unschedulable: V1Pod = { metadata: { name: "p" }, status: { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient nvidia.com/gpu." }] } };
    expect(mapJobStatus(job({ active: 1 }), [unschedulable]).message).toBe("pending: Unschedulable: 0/3 nodes are available: 3 Insufficient nvidia.com/gpu.");
  });

  it("recognises disruption signals on pods, and not ordinary failures", () => {
    expect(podDisruption({ status: { phase: "Failed", reason: "Evicted", message: "The node was low on resource: ephemeral-storage." } })).toBe("Evicted: The node was low on resource: ephemeral-storage.");
    expect(podDisruption({ status: { phase: "Failed", reason: "NodeLost" } })).toBe("NodeLost");
    expect(podDisruption({ status: { phase: "Failed", conditions: [{ type: "DisruptionTarget", status: "True", reason: "DeletionByTaintManager" }] } })).toBe("DeletionByTaintManager");
    expect(podDisruption({ status: { phase: "Failed", reason: "Error" } })).toBeUndefined();
  });
});

describe("kubernetes outputs", () => {
  it("reads a tar archive's regular files, without ./ and without escaping paths", () => {
    const files = readTar(tarOf({ "a.txt": "A", "dir/b.bin": "B".repeat(700), "../evil": "no" }));
    expect(files.map((f) => f.name)).toEqual(["a.txt", "dir/b.bin"]);
  });
});
