import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
  type ContainerClient,
} from "@azure/storage-blob";
import { AppError } from "../../../platform/errors/app-error.js";
import type { JobStorage, ObjectTransfer } from "../remote/index.js";
import { azureStatusOf, translateAzureError } from "./azure-errors.js";

export interface AzureBlobStorageConfig {
  readonly account: string;
  readonly accountKey: string;
  readonly container: string;
  /** @default https://<account>.blob.core.windows.net */
  readonly endpoint?: string;
}

/**
 * Job objects as block blobs in one container, through `@azure/storage-blob` with the storage
 * account's shared key. The machine moves them with service SAS URLs scoped to one blob: read for
 * what it downloads, create+write for what it uploads (`x-ms-blob-type: BlockBlob`, as Put Blob
 * requires), https only unless the endpoint itself is http (Azurite).
 */
export class AzureBlobJobStorage implements JobStorage {
  readonly location: string;
  private readonly credential: StorageSharedKeyCredential;
  private readonly container: ContainerClient;
  private readonly https: boolean;

  constructor(private readonly config: AzureBlobStorageConfig) {
    const endpoint = (config.endpoint ?? `https://${config.account}.blob.core.windows.net`).replace(/\/$/, "");
    this.https = endpoint.startsWith("https:");
    this.credential = new StorageSharedKeyCredential(config.account, config.accountKey);
    this.container = new BlobServiceClient(endpoint, this.credential).getContainerClient(config.container);
    this.location = `${endpoint}/${config.container}`;
  }

  private async call<T>(action: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw translateAzureError(e, action, signal);
    }
  }

  async put(key: string, body: Uint8Array, signal?: AbortSignal): Promise<void> {
    const upload = () => this.container.getBlockBlobClient(key).uploadData(body, { ...(signal ? { abortSignal: signal } : {}) });
    try {
      await upload();
    } catch (e) {
      // The first job of a new storage account: create the container, then upload again.
      if ((e as { code?: string }).code !== "ContainerNotFound") throw translateAzureError(e, `upload blob ${key}`, signal);
      await this.ensureContainer(signal);
      await this.call(`upload blob ${key}`, signal, upload);
    }
  }

  async get(key: string, range: { readonly start?: number; readonly maxBytes?: number } = {}, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const start = range.start ?? 0;
    try {
      const res = await this.container.getBlobClient(key).download(start, range.maxBytes, { ...(signal ? { abortSignal: signal } : {}) });
      const chunks: Buffer[] = [];
      for await (const chunk of res.readableStreamBody!) chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
    } catch (e) {
      const status = azureStatusOf(e);
      if (status === 404) return undefined;
      // A range starting at or past the end: the blob exists and has nothing more.
      if (status === 416) return new Uint8Array();
      throw translateAzureError(e, `download blob ${key}`, signal);
    }
  }

  async deletePrefix(prefix: string, signal?: AbortSignal): Promise<void> {
    try {
      for await (const blob of this.container.listBlobsFlat({ prefix, ...(signal ? { abortSignal: signal } : {}) })) {
        await this.container.getBlobClient(blob.name).deleteIfExists({ deleteSnapshots: "include", ...(signal ? { abortSignal: signal } : {}) });
      }
    } catch (e) {
      // No container, no blobs: already clean.
      if (azureStatusOf(e) === 404) return;
      throw translateAzureError(e, `delete blobs under ${prefix}`, signal);
    }
  }

  async transfer(key: string, access: "read" | "write", expiresAt: Date): Promise<ObjectTransfer> {
    const blob = this.container.getBlockBlobClient(key);
    const sas = generateBlobSASQueryParameters(
      {
        containerName: this.config.container,
        blobName: key,
        permissions: BlobSASPermissions.parse(access === "read" ? "r" : "cw"),
        // Clock skew between the server and Azure: valid from five minutes ago.
        startsOn: new Date(Date.now() - 5 * 60_000),
        expiresOn: expiresAt,
        protocol: this.https ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
      },
      this.credential,
    ).toString();
    const url = `${blob.url}?${sas}`;
    return access === "read" ? { kind: "url", url } : { kind: "url", url, headers: { "x-ms-blob-type": "BlockBlob" } };
  }

  /** Creates the container when it does not exist yet, then checks it can be listed. */
  async check(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    try {
      await this.ensureContainer(signal);
      await this.call(`list container ${this.config.container}`, signal, () => this.container.listBlobsFlat({ prefix: "artenic/" }).byPage({ maxPageSize: 1 }).next());
      return { ok: true, message: `Blob container ${this.location} is reachable` };
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  }

  async ensureContainer(signal?: AbortSignal): Promise<void> {
    const created = await this.call(`create container ${this.config.container}`, signal, () => this.container.createIfNotExists({ ...(signal ? { abortSignal: signal } : {}) }));
    if (!created.succeeded && created.errorCode && created.errorCode !== "ContainerAlreadyExists") {
      throw new AppError("failed_precondition", "AZURE_CONTAINER_UNAVAILABLE", `azure: container ${this.config.container} cannot be used: ${created.errorCode}`, { container: this.config.container });
    }
  }
}
