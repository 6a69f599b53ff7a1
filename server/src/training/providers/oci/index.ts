import type { ComputeProvider } from "../../compute-provider.js";
import { VmJobProvider } from "../remote/index.js";
import { MAX_USER_DATA_BYTES, OciApi, ociEndpoints } from "./oci-api.js";
import { OciCompute } from "./oci-compute.js";
import type { OciProviderConfig } from "./oci-config.js";
import { OciSigner } from "./oci-signer.js";
import { OciJobStorage } from "./oci-storage.js";

export type { OciProviderConfig } from "./oci-config.js";
export { OciSigner, signedHeaderNames, signingString } from "./oci-signer.js";
export { parseOciInstanceType } from "./oci-compute.js";

/**
 * The oci adapter: OCI Compute instances running the remote kit's bootstrap script as user data,
 * the job's objects in Object Storage with pre-authenticated requests for the instance's transfers;
 * every call signed with the API key (HTTP Signatures, node:crypto). No OCI SDK.
 */
export function createOciComputeProvider(config: OciProviderConfig): ComputeProvider {
  const signer = new OciSigner({ tenancy: config.tenancy, user: config.user, fingerprint: config.fingerprint, privateKey: config.privateKey });
  const api = new OciApi(signer, { ...ociEndpoints(config.region), ...config.endpoints }, config.requestTimeoutMs);
  return new VmJobProvider({
    id: "oci",
    storage: new OciJobStorage(api, config.bucket, config.namespace),
    compute: new OciCompute(config, api),
    maxUserDataBytes: MAX_USER_DATA_BYTES,
    ...(config.prefix ? { prefix: config.prefix } : {}),
    ...(config.bootstrap ? { bootstrap: config.bootstrap } : {}),
  });
}
