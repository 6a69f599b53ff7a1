import type { V1Affinity, V1ConfigMap, V1EnvVar, V1Job, V1Secret, V1Toleration, V1Volume, V1VolumeMount, V1Container } from "@kubernetes/client-node";
import type { LaunchSpec } from "../../compute-provider.js";
import type { PackedCode, PackedResume } from "./kubernetes-code.js";
import { AppError } from "../../../platform/errors/app-error.js";
import { gpuTypeMatches } from "../../catalog/price-catalog.js";
import type { GpuClassAffinity, KubernetesProviderConfig } from "./kubernetes-config.js";
import { TRAIN_CONTAINER, type KubernetesNames } from "./kubernetes-names.js";
import { OUTPUTS_CONTAINER, outputsScript } from "./kubernetes-outputs.js";

/**
 * The objects one training job becomes: a Secret with its environment, a ConfigMap with its code
 * (when it ships code), and a batch/v1 Job running one pod, never restarted, bounded by the job's
 * max runtime. Pure functions, so the tests can compare exact manifests.
 */

export const CODE_DIR = "/artenic/code";
export const OUTPUT_DIR = "/artenic/output";
export const RESUME_DIR = "/artenic/resume";
const ARCHIVE_DIR = "/artenic/code-archive";
/** Variables the adapter owns: where it put the code, the outputs and the checkpoint to resume from. */
const OWNED_ENV = new Set(["ARTENIC_CODE_DIR", "ARTENIC_OUTPUT_DIR", "ARTENIC_RESUME_FROM"]);

/** `0.5` → `500m`, `2` → `2`: CPU as a Kubernetes quantity, honoured exactly. */
export function cpuQuantity(cpus: number): string {
  return Number.isInteger(cpus) ? String(cpus) : `${Math.ceil(cpus * 1000)}m`;
}

/** Bytes as a Kubernetes quantity: `8Gi`, `512Mi`, else plain bytes. */
export function memoryQuantity(bytes: number): string {
  const units: [number, string][] = [
    [1024 ** 4, "Ti"],
    [1024 ** 3, "Gi"],
    [1024 ** 2, "Mi"],
    [1024, "Ki"],
  ];
  for (const [size, suffix] of units) if (bytes >= size && bytes % size === 0) return `${bytes / size}${suffix}`;
  return String(bytes);
}

/** The Secret holding every variable of the spec (values are never put in the Job). */
export function buildSecret(spec: LaunchSpec, names: KubernetesNames, namespace: string): V1Secret | undefined {
  const keys = Object.keys(spec.env).filter((k) => !OWNED_ENV.has(k)).sort();
  if (keys.length === 0) return undefined;
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: names.secret, namespace, labels: { ...names.labels }, annotations: { ...names.annotations } },
    type: "Opaque",
    data: Object.fromEntries(keys.map((k) => [k, Buffer.from(spec.env[k]!, "utf8").toString("base64")])),
  };
}

/** The ConfigMap with the code and the checkpoint to resume from, when there is either. */
export function buildConfigMap(code: PackedCode, resume: PackedResume | undefined, names: KubernetesNames, namespace: string): V1ConfigMap | undefined {
  if (code.kind === "none" && !resume) return undefined;
  const binaryData = { ...(code.kind === "none" ? {} : code.binaryData), ...(resume?.binaryData ?? {}) };
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: names.configMap, namespace, labels: { ...names.labels }, annotations: { ...names.annotations } },
    ...(code.kind === "files" && Object.keys(code.data).length > 0 ? { data: { ...code.data } } : {}),
    ...(Object.keys(binaryData).length > 0 ? { binaryData } : {}),
  };
}

/**
 * The node label values of every class that satisfies the requested GPU type (`nvidia-a100` takes
 * the 40 and 80 GB classes). A type the cluster has no class for is refused, naming the field.
 */
export function gpuClassesFor(gpuType: string, affinity: GpuClassAffinity): string[] {
  const values = [...new Set(Object.entries(affinity.classes).filter(([type]) => gpuTypeMatches(gpuType, type)).flatMap(([, classes]) => classes))].sort();
  if (values.length === 0) {
    throw new AppError("invalid_argument", "GPU_TYPE_NOT_OFFERED", `resources.gpu_type: ${gpuType} has no ${affinity.label} node class on this cluster`, { field: "resources.gpu_type", gpuType });
  }
  return values;
}

/** `workingDir` under the code root; a path that climbs out of it is refused. */
function workingDirOf(spec: LaunchSpec): string {
  const sub = (spec.workingDir ?? "").replace(/^\/+|\/+$/g, "");
  if (sub === "") return CODE_DIR;
  if (sub.split("/").includes("..")) throw new Error(`working directory ${spec.workingDir} leaves the code root`);
  return `${CODE_DIR}/${sub}`;
}

export function buildJob(spec: LaunchSpec, names: KubernetesNames, code: PackedCode, resume: PackedResume | undefined, config: KubernetesProviderConfig, secret: V1Secret | undefined): V1Job {
  const gpuResource = config.gpuResource ?? "nvidia.com/gpu";
  const quantities: Record<string, string> = { cpu: cpuQuantity(spec.cpus), memory: memoryQuantity(spec.memoryBytes) };
  if (spec.gpuCount > 0) quantities[gpuResource] = String(spec.gpuCount);

  const env: V1EnvVar[] = [];
  if (code.kind !== "none") env.push({ name: "ARTENIC_CODE_DIR", value: CODE_DIR });
  env.push({ name: "ARTENIC_OUTPUT_DIR", value: OUTPUT_DIR });
  if (resume) env.push({ name: "ARTENIC_RESUME_FROM", value: `${RESUME_DIR}/${resume.fileName}` });
  for (const key of Object.keys(secret?.data ?? {})) env.push({ name: key, valueFrom: { secretKeyRef: { name: names.secret, key } } });

  const volumes: V1Volume[] = [{ name: "output", emptyDir: {} }];
  const mounts: V1VolumeMount[] = [{ name: "output", mountPath: OUTPUT_DIR }];
  const initContainers: V1Container[] = [];
  if (code.kind === "files") {
    volumes.push({ name: "code", configMap: { name: names.configMap, items: code.items.map((i) => ({ ...i })) } });
    mounts.push({ name: "code", mountPath: CODE_DIR, readOnly: true });
  } else if (code.kind === "archive") {
    volumes.push({ name: "code-archive", configMap: { name: names.configMap } }, { name: "code", emptyDir: {} });
    mounts.push({ name: "code", mountPath: CODE_DIR });
    const unpack = code.format === "zip" ? `unzip -q ${ARCHIVE_DIR}/${code.key} -d ${CODE_DIR}` : `tar -xzf ${ARCHIVE_DIR}/${code.key} -C ${CODE_DIR}`;
    initContainers.push({
      name: "unpack-code",
      image: config.helperImage,
      command: ["sh", "-c", unpack],
      volumeMounts: [
        { name: "code-archive", mountPath: ARCHIVE_DIR, readOnly: true },
        { name: "code", mountPath: CODE_DIR },
      ],
    });
  }

  if (config.collectOutputs ?? true) {
    // A native sidecar: started before the training container, stopped after it, and dumping the
    // outputs to its log when stopped (kubernetes-outputs.ts).
    initContainers.push({
      name: OUTPUTS_CONTAINER,
      image: config.helperImage,
      restartPolicy: "Always",
      command: ["sh", "-c", outputsScript(OUTPUT_DIR)],
      resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
      volumeMounts: [{ name: "output", mountPath: OUTPUT_DIR, readOnly: true }],
    });
  }

  if (resume) {
    volumes.push({ name: "resume", configMap: { name: names.configMap, items: [{ key: resume.key, path: resume.fileName }] } });
    mounts.push({ name: "resume", mountPath: RESUME_DIR, readOnly: true });
  }

  const nodeSelector: Record<string, string> = { ...(config.nodeSelector ?? {}) };
  let affinity: V1Affinity | undefined;
  if (spec.gpuCount > 0 && spec.gpuType !== "" && config.gpuClassAffinity) {
    const { label } = config.gpuClassAffinity;
    affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: label, operator: "In", values: gpuClassesFor(spec.gpuType, config.gpuClassAffinity) }] }] } } };
  } else if (spec.gpuCount > 0 && spec.gpuType !== "" && config.gpuTypeLabel) nodeSelector[config.gpuTypeLabel] = spec.gpuType;
  const tolerations: V1Toleration[] = [];
  if (spec.spot) {
    Object.assign(nodeSelector, config.spotNodeSelector ?? {});
    for (const t of config.spotTolerations ?? []) {
      tolerations.push({ key: t.key, operator: t.value === undefined ? "Exists" : "Equal", ...(t.value === undefined ? {} : { value: t.value }), ...(t.effect ? { effect: t.effect } : {}) });
    }
  }

  const container: V1Container = {
    name: TRAIN_CONTAINER,
    image: spec.image !== "" ? spec.image : config.defaultImage,
    ...(spec.command.length > 0 ? { command: [...spec.command] } : {}),
    ...(spec.args.length > 0 ? { args: [...spec.args] } : {}),
    ...(code.kind !== "none" ? { workingDir: workingDirOf(spec) } : {}),
    env,
    resources: { requests: { ...quantities }, limits: { ...quantities } },
    volumeMounts: mounts,
  };

  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: names.job, namespace: config.namespace, labels: { ...names.labels }, annotations: { ...names.annotations } },
    spec: {
      // One attempt: a failed or preempted pod ends the Job, and the platform decides about retries.
      backoffLimit: 0,
      activeDeadlineSeconds: Math.max(1, Math.ceil(spec.maxRuntimeMs / 1000)),
      // A disrupted pod (eviction, preemption, node drain or loss) fails the Job with reason
      // PodFailurePolicy, which the status mapping reports as a preemption.
      podFailurePolicy: { rules: [{ action: "FailJob", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] }] },
      template: {
        metadata: { labels: { ...names.labels }, annotations: { ...names.annotations } },
        spec: {
          restartPolicy: "Never",
          // Training code has no business with the Kubernetes API unless a service account is named.
          automountServiceAccountToken: Boolean(config.serviceAccount),
          enableServiceLinks: false,
          ...(config.serviceAccount ? { serviceAccountName: config.serviceAccount } : {}),
          ...(config.imagePullSecret ? { imagePullSecrets: [{ name: config.imagePullSecret }] } : {}),
          ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector } : {}),
          ...(affinity ? { affinity } : {}),
          ...(tolerations.length > 0 ? { tolerations } : {}),
          ...(initContainers.length > 0 ? { initContainers } : {}),
          containers: [container],
          volumes,
        },
      },
    },
  };
}
