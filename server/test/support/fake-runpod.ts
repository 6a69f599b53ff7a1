import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { buildSchema, execute, parse, validate, type DocumentNode, type GraphQLSchema } from "graphql";
import { SandboxMachines } from "../../src/training/providers/remote/remote-testing.js";

/**
 * The RunPod GraphQL API on 127.0.0.1 for tests. Every request is parsed and VALIDATED against a
 * schema of the RunPod types and fields the adapter may use (names, argument and input types,
 * required fields, enums): a misspelt field, a wrong variable type or a missing `input` fails with
 * the GraphQL validation errors, as the real API does, and the test with it. Then it executes: pods
 * are created, read, listed and terminated. A pod RUNS its container command (`dockerArgs`) with its
 * environment as a real bash process in a sandbox directory, so the bootstrap really fetches its
 * script, the code and env.sh, runs the command and uploads its status, logs and outputs. Auth is
 * `Authorization: Bearer <key>`; every request is recorded.
 */

const SDL = `
  scalar Void
  enum CloudTypeEnum { ALL SECURE COMMUNITY }
  enum PodStatus { CREATED RUNNING RESTARTING EXITED PAUSED DEAD TERMINATED }
  input GpuTypeFilter { id: String }
  input GpuLowestPriceInput { gpuCount: Int! minDisk: Int minMemoryInGb: Int minVcpuCount: Int secureCloud: Boolean communityCloud: Boolean dataCenterId: String countryCode: String }
  input PodFilter { podId: String! }
  input PodTerminateInput { podId: String! }
  input PodStopInput { podId: String! }
  input EnvironmentVariableInput { key: String! value: String! }
  input PodFindAndDeployOnDemandInput {
    cloudType: CloudTypeEnum gpuCount: Int volumeInGb: Int containerDiskInGb: Int minVcpuCount: Int minMemoryInGb: Int gpuTypeId: String
    name: String imageName: String dockerArgs: String ports: String volumeMountPath: String env: [EnvironmentVariableInput]
    dataCenterId: String countryCode: String templateId: String networkVolumeId: String startSsh: Boolean supportPublicIp: Boolean
  }
  input PodRentInterruptableInput {
    bidPerGpu: Float! cloudType: CloudTypeEnum gpuCount: Int volumeInGb: Int containerDiskInGb: Int minVcpuCount: Int minMemoryInGb: Int gpuTypeId: String
    name: String imageName: String dockerArgs: String ports: String volumeMountPath: String env: [EnvironmentVariableInput]
    dataCenterId: String countryCode: String templateId: String networkVolumeId: String startSsh: Boolean supportPublicIp: Boolean
  }
  type LowestPrice { gpuName: String gpuTypeId: String minimumBidPrice: Float uninterruptablePrice: Float minVcpu: Float minMemory: Float stockStatus: String }
  type GpuType { id: String! displayName: String memoryInGb: Int secureCloud: Boolean communityCloud: Boolean lowestPrice(input: GpuLowestPriceInput): LowestPrice }
  type PodRuntime { uptimeInSeconds: Int }
  type Pod { id: String! name: String desiredStatus: PodStatus lastStatusChange: String imageName: String costPerHr: Float machineId: String runtime: PodRuntime }
  type User { id: String! pods: [Pod] }
  type Query { gpuTypes(input: GpuTypeFilter): [GpuType] pod(input: PodFilter!): Pod myself: User }
  type Mutation {
    podFindAndDeployOnDemand(input: PodFindAndDeployOnDemandInput): Pod
    podRentInterruptable(input: PodRentInterruptableInput!): Pod
    podStop(input: PodStopInput!): Pod
    podTerminate(input: PodTerminateInput!): Void
  }
`;

export interface FakeRunPodGpu {
  readonly id: string;
  readonly displayName: string;
  readonly memoryInGb: number;
  /** Per GPU and hour, USD; null when none is available. */
  readonly onDemand: number | null;
  readonly minBid: number | null;
  readonly minVcpu: number;
  readonly minMemory: number;
}

const DEFAULT_GPUS: FakeRunPodGpu[] = [
  { id: "NVIDIA GeForce RTX 4090", displayName: "RTX 4090", memoryInGb: 24, onDemand: 0.69, minBid: 0.35, minVcpu: 16, minMemory: 62 },
  { id: "NVIDIA A100 80GB PCIe", displayName: "A100 PCIe", memoryInGb: 80, onDemand: 1.64, minBid: 0.82, minVcpu: 8, minMemory: 117 },
  { id: "NVIDIA A100-SXM4-80GB", displayName: "A100 SXM", memoryInGb: 80, onDemand: 1.89, minBid: 1.1, minVcpu: 16, minMemory: 125 },
  { id: "NVIDIA H100 80GB HBM3", displayName: "H100 SXM", memoryInGb: 80, onDemand: null, minBid: null, minVcpu: 16, minMemory: 188 },
];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface FakePod {
  id: string;
  name: string;
  desiredStatus: string;
  lastStatusChange: string;
  imageName: string;
  costPerHr: number;
  runtime: { uptimeInSeconds: number } | null;
  interruptible: boolean;
  input: Json;
}

export interface RunPodRecordedRequest {
  readonly operationName: string;
  readonly query: string;
  readonly variables: Json;
  readonly authorization: string;
}

export class FakeRunPod {
  readonly requests: RunPodRecordedRequest[] = [];
  readonly machines = new SandboxMachines();
  readonly pods = new Map<string, FakePod>();
  private readonly schema: GraphQLSchema = buildSchema(SDL);
  private server!: Server;
  url = "";

  private constructor(private readonly options: { apiKey: string; sandboxRoot: string; gpus?: readonly FakeRunPodGpu[] }) {}

  static async start(options: { apiKey: string; sandboxRoot: string; gpus?: readonly FakeRunPodGpu[] }): Promise<FakeRunPod> {
    const fake = new FakeRunPod(options);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((r) => fake.server.listen(0, "127.0.0.1", r));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/graphql`;
    return fake;
  }

  async close(): Promise<void> {
    await this.machines.killAll();
    await new Promise((r) => this.server.close(r));
  }

  operations(): string[] {
    return this.requests.map((r) => r.operationName);
  }

  /** RunPod takes an interruptible pod's GPU back for a higher bid: the container is killed, the pod exits. */
  async outbid(podId: string): Promise<void> {
    const pod = this.pods.get(podId)!;
    if (!pod.interruptible) throw new Error("only interruptible pods are outbid");
    await this.machines.kill(podId);
    pod.desiredStatus = "EXITED";
    pod.runtime = null;
    pod.lastStatusChange = `Outbid: stopped by RunPod for a higher bid: ${new Date().toUTCString()}`;
  }

  private get gpus(): readonly FakeRunPodGpu[] {
    return this.options.gpus ?? DEFAULT_GPUS;
  }

  private send(res: ServerResponse, status: number, body: Json): void {
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== "POST" || (req.url ?? "").split("?")[0] !== "/graphql") return this.send(res, 404, { errors: [{ message: "Not found" }] });
    if ((req.url ?? "").includes("api_key=")) return this.send(res, 400, { errors: [{ message: "the test forbids the API key in the URL" }] });
    let body: Json;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString());
    } catch {
      return this.send(res, 400, { errors: [{ message: "POST body must be JSON" }] });
    }
    const authorization = req.headers.authorization ?? "";
    this.requests.push({ operationName: body["operationName"] ?? "", query: body["query"] ?? "", variables: body["variables"] ?? {}, authorization });
    if (authorization !== `Bearer ${this.options.apiKey}`) return this.send(res, 401, { errors: [{ message: "Unauthorized", extensions: { code: "UNAUTHENTICATED" } }] });
    let document: DocumentNode;
    try {
      document = parse(String(body["query"] ?? ""));
    } catch (e) {
      return this.send(res, 400, { errors: [{ message: (e as Error).message, extensions: { code: "GRAPHQL_PARSE_FAILED" } }] });
    }
    const invalid = validate(this.schema, document);
    if (invalid.length > 0) return this.send(res, 400, { errors: invalid.map((e) => ({ message: e.message, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } })) });
    const result = await execute({ schema: this.schema, document, rootValue: this.root(), variableValues: body["variables"] ?? {}, operationName: body["operationName"] });
    this.send(res, 200, { data: result.data ?? null, ...(result.errors ? { errors: result.errors.map((e) => ({ message: e.message, path: e.path })) } : {}) });
  }

  private podJson(p: FakePod): Json {
    return { id: p.id, name: p.name, desiredStatus: p.desiredStatus, lastStatusChange: p.lastStatusChange, imageName: p.imageName, costPerHr: p.costPerHr, machineId: "m-1", runtime: p.runtime };
  }

  private root(): Json {
    return {
      gpuTypes: () =>
        this.gpus.map((g) => ({
          id: g.id,
          displayName: g.displayName,
          memoryInGb: g.memoryInGb,
          secureCloud: true,
          communityCloud: true,
          lowestPrice: ({ input }: { input: { gpuCount: number } }) => ({
            gpuName: g.displayName,
            gpuTypeId: g.id,
            uninterruptablePrice: g.onDemand === null ? null : Math.round(g.onDemand * input.gpuCount * 100) / 100,
            minimumBidPrice: g.minBid === null ? null : Math.round(g.minBid * input.gpuCount * 100) / 100,
            minVcpu: g.minVcpu * input.gpuCount,
            minMemory: g.minMemory * input.gpuCount,
            stockStatus: g.onDemand === null ? null : "High",
          }),
        })),
      pod: ({ input }: { input: { podId: string } }) => {
        const p = this.pods.get(input.podId);
        return p && p.desiredStatus !== "TERMINATED" ? this.podJson(p) : null;
      },
      myself: () => ({ id: "user_fake", pods: [...this.pods.values()].filter((p) => p.desiredStatus !== "TERMINATED").map((p) => this.podJson(p)) }),
      podFindAndDeployOnDemand: ({ input }: { input: Json }) => this.deploy(input, false),
      podRentInterruptable: ({ input }: { input: Json }) => this.deploy(input, true),
      podStop: ({ input }: { input: { podId: string } }) => {
        const p = this.pods.get(input.podId);
        if (!p || p.desiredStatus === "TERMINATED") throw new Error("pod not found");
        void this.machines.kill(p.id);
        p.desiredStatus = "EXITED";
        p.runtime = null;
        return this.podJson(p);
      },
      podTerminate: async ({ input }: { input: { podId: string } }) => {
        const p = this.pods.get(input.podId);
        if (!p || p.desiredStatus === "TERMINATED") throw new Error("pod not found");
        await this.machines.kill(p.id);
        p.desiredStatus = "TERMINATED";
        return null;
      },
    };
  }

  private deploy(input: Json, interruptible: boolean): Json {
    const gpu = this.gpus.find((g) => g.id === input["gpuTypeId"]);
    if (!gpu) throw new Error(`There are no longer any instances available with the requested specifications (${String(input["gpuTypeId"])}).`);
    if (gpu.onDemand === null) throw new Error("There are no longer any instances available with the requested specifications. Please refresh and try again.");
    if (!input["imageName"] || typeof input["dockerArgs"] !== "string" || !input["name"]) throw new Error("imageName, dockerArgs and name are required by this fake's test rules");
    if (interruptible && (input["bidPerGpu"] as number) < (gpu.minBid ?? Infinity)) throw new Error(`Bid price is below the minimum bid of ${gpu.minBid}.`);
    const id = randomBytes(7).toString("hex");
    const count = (input["gpuCount"] as number | undefined) ?? 1;
    const pod: FakePod = {
      id,
      name: input["name"],
      desiredStatus: "RUNNING",
      lastStatusChange: `Rented by User: ${new Date().toUTCString()}`,
      imageName: input["imageName"],
      costPerHr: (interruptible ? (input["bidPerGpu"] as number) : gpu.onDemand) * count,
      runtime: null,
      interruptible,
      input,
    };
    this.pods.set(id, pod);
    // The image is pulled, then the container starts with dockerArgs as its command.
    setTimeout(() => {
      if (pod.desiredStatus !== "RUNNING") return;
      pod.runtime = { uptimeInSeconds: 0 };
      const env: Record<string, string> = { RUNPOD_POD_ID: id, RUNPOD_GPU_COUNT: String(count) };
      for (const { key, value } of (input["env"] as { key: string; value: string }[] | undefined) ?? []) env[key] = value;
      void this.machines.start(id, `exec ${input["dockerArgs"]}\n`, { root: join(this.options.sandboxRoot, id), env }).then((exit) => {
        // The container's main process ended: the pod exits (unless it was terminated or outbid first).
        if (pod.desiredStatus === "RUNNING") {
          pod.desiredStatus = "EXITED";
          pod.runtime = null;
          pod.lastStatusChange = `Exited by container: exit code ${exit.code}`;
        }
      });
    }, 20);
    return this.podJson(pod);
  }
}
