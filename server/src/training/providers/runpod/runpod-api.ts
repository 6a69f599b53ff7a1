import { ApiCallError, requestJson } from "../gpu-clouds/http-json.js";

/**
 * The RunPod GraphQL API (`https://api.runpod.io/graphql`) as far as training needs it: GPU types
 * with their lowest on-demand and interruptible (bid) prices, deploying an on-demand pod or renting
 * an interruptible one, reading a pod, listing one's pods, and terminating. The API key goes in the
 * Authorization header, never in the URL (the original adapter leaked it into logs that way).
 * GraphQL errors come back as HTTP 200 with `errors: [{message, extensions}]`.
 */

export interface RunPodGpuType {
  readonly id: string;
  readonly displayName: string;
  readonly memoryInGb: number;
  readonly secureCloud: boolean;
  readonly communityCloud: boolean;
  readonly lowestPrice: {
    readonly minimumBidPrice: number | null;
    readonly uninterruptablePrice: number | null;
    readonly minVcpu: number | null;
    readonly minMemory: number | null;
    readonly stockStatus: string | null;
  } | null;
}

export type RunPodDesiredStatus = "CREATED" | "RUNNING" | "RESTARTING" | "EXITED" | "PAUSED" | "DEAD" | "TERMINATED";

export interface RunPodPod {
  readonly id: string;
  readonly name: string;
  readonly desiredStatus: RunPodDesiredStatus;
  readonly lastStatusChange: string | null;
  readonly imageName: string;
  readonly costPerHr: number | null;
  readonly runtime: { readonly uptimeInSeconds: number | null } | null;
}

export type RunPodCloudType = "ALL" | "SECURE" | "COMMUNITY";

/** PodFindAndDeployOnDemandInput / PodRentInterruptableInput fields the adapter sets. */
export interface RunPodDeployInput {
  readonly name: string;
  readonly imageName: string;
  readonly gpuTypeId: string;
  readonly gpuCount: number;
  readonly cloudType: RunPodCloudType;
  readonly containerDiskInGb: number;
  readonly volumeInGb: number;
  readonly minVcpuCount: number;
  readonly minMemoryInGb: number;
  readonly dockerArgs: string;
  readonly env: readonly { readonly key: string; readonly value: string }[];
  readonly dataCenterId?: string;
  /** Interruptible pods only: the bid per GPU and hour, in USD. */
  readonly bidPerGpu?: number;
}

export const GPU_TYPES_QUERY = `query GpuTypes($lowestPriceInput: GpuLowestPriceInput) {
  gpuTypes {
    id
    displayName
    memoryInGb
    secureCloud
    communityCloud
    lowestPrice(input: $lowestPriceInput) {
      minimumBidPrice
      uninterruptablePrice
      minVcpu
      minMemory
      stockStatus
    }
  }
}`;

const POD_FIELDS = `id
    name
    desiredStatus
    lastStatusChange
    imageName
    costPerHr
    runtime {
      uptimeInSeconds
    }`;

export const DEPLOY_ON_DEMAND_MUTATION = `mutation DeployOnDemand($input: PodFindAndDeployOnDemandInput) {
  podFindAndDeployOnDemand(input: $input) {
    ${POD_FIELDS}
  }
}`;

export const RENT_INTERRUPTABLE_MUTATION = `mutation RentInterruptable($input: PodRentInterruptableInput!) {
  podRentInterruptable(input: $input) {
    ${POD_FIELDS}
  }
}`;

export const POD_QUERY = `query Pod($input: PodFilter!) {
  pod(input: $input) {
    ${POD_FIELDS}
  }
}`;

export const MY_PODS_QUERY = `query MyPods {
  myself {
    id
    pods {
      ${POD_FIELDS}
    }
  }
}`;

export const TERMINATE_MUTATION = `mutation Terminate($input: PodTerminateInput!) {
  podTerminate(input: $input)
}`;

/** RunPod's words for "there is no such pod". */
const NOT_FOUND = /not found|does not exist|no pod/i;

export class RunPodApi {
  constructor(private readonly options: { readonly apiUrl: string; readonly apiKey: string; readonly timeoutMs: number }) {}

  private async graphql<T>(action: string, query: string, variables: Record<string, unknown>, signal: AbortSignal | undefined): Promise<T> {
    const operationName = /^(?:query|mutation) (\w+)/.exec(query)![1]!;
    const answer = await requestJson<{ data?: T | null; errors?: { message?: string; extensions?: { code?: string } }[] }>({
      provider: "runpod",
      action,
      method: "POST",
      url: this.options.apiUrl,
      headers: { authorization: `Bearer ${this.options.apiKey}` },
      body: { operationName, query, variables },
      timeoutMs: this.options.timeoutMs,
      signal,
      errorOf: (b) => {
        const x = b as { errors?: { message?: string; extensions?: { code?: string } }[]; error?: string } | undefined;
        if (x?.errors?.[0]) return { code: x.errors[0].extensions?.code ?? "", message: x.errors.map((e) => e.message ?? "").join("; ") };
        if (typeof x?.error === "string") return { code: "", message: x.error };
        return undefined;
      },
    });
    if (answer.errors && answer.errors.length > 0) {
      const first = answer.errors[0]!;
      throw new ApiCallError("runpod", action, 200, first.extensions?.code ?? "GRAPHQL_ERROR", answer.errors.map((e) => e.message ?? "").join("; "));
    }
    if (!answer.data) throw new ApiCallError("runpod", action, 200, "", "the answer has no data");
    return answer.data;
  }

  async gpuTypes(gpuCount: number, signal?: AbortSignal): Promise<RunPodGpuType[]> {
    return (await this.graphql<{ gpuTypes: RunPodGpuType[] }>("list GPU types", GPU_TYPES_QUERY, { lowestPriceInput: { gpuCount } }, signal)).gpuTypes;
  }

  async deploy(input: RunPodDeployInput, signal?: AbortSignal): Promise<RunPodPod> {
    if (input.bidPerGpu !== undefined) {
      return (await this.graphql<{ podRentInterruptable: RunPodPod }>("rent an interruptible pod", RENT_INTERRUPTABLE_MUTATION, { input }, signal)).podRentInterruptable;
    }
    return (await this.graphql<{ podFindAndDeployOnDemand: RunPodPod }>("deploy an on-demand pod", DEPLOY_ON_DEMAND_MUTATION, { input }, signal)).podFindAndDeployOnDemand;
  }

  /** The pod, or undefined when RunPod no longer knows it. */
  async pod(podId: string, signal?: AbortSignal): Promise<RunPodPod | undefined> {
    try {
      return (await this.graphql<{ pod: RunPodPod | null }>(`read pod ${podId}`, POD_QUERY, { input: { podId } }, signal)).pod ?? undefined;
    } catch (e) {
      if (e instanceof ApiCallError && e.status === 200 && NOT_FOUND.test(e.detail)) return undefined;
      throw e;
    }
  }

  async myPods(signal?: AbortSignal): Promise<{ userId: string; pods: RunPodPod[] }> {
    const me = (await this.graphql<{ myself: { id: string; pods: RunPodPod[] } }>("list pods", MY_PODS_QUERY, {}, signal)).myself;
    return { userId: me.id, pods: me.pods };
  }

  /** Terminates the pod; one RunPod no longer knows is success. */
  async terminate(podId: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.graphql("terminate a pod", TERMINATE_MUTATION, { input: { podId } }, signal);
    } catch (e) {
      if (e instanceof ApiCallError && e.status === 200 && NOT_FOUND.test(e.detail)) return;
      throw e;
    }
  }
}
