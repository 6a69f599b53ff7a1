import type { ComputeProvider } from "../../compute-provider.js";
import { HttpApi } from "../http-api/http-api.js";
import { VmJobProvider } from "../remote/index.js";
import { KeystoneSession, openstackErrorMessage } from "./keystone.js";
import { NovaCompute } from "./nova-compute.js";
import { MAX_USER_DATA_BYTES, NovaClient } from "./nova.js";
import type { OpenStackProviderConfig } from "./openstack-config.js";
import { SwiftJobStorage } from "./swift-storage.js";
import { SwiftClient } from "./swift.js";

export type { OpenStackProviderConfig } from "./openstack-config.js";
export { parseOvhCatalog } from "./openstack-prices.js";
export { signTempUrl } from "./swift.js";

/**
 * The openstack adapter (OVHcloud and Infomaniak Public Cloud): Keystone v3 password auth, Nova
 * servers running the remote kit's bootstrap script as user data, Swift for the job's objects with
 * temp URLs for the VM's transfers. Plain HTTP with fetch; no OpenStack SDK.
 */
export function createOpenStackComputeProvider(config: OpenStackProviderConfig): ComputeProvider {
  const api = new HttpApi({ provider: config.id, errorMessage: openstackErrorMessage, reasonPrefix: "OPENSTACK", ...(config.requestTimeoutMs ? { timeoutMs: config.requestTimeoutMs } : {}) });
  const session = new KeystoneSession(
    { authUrl: config.authUrl, username: config.username, password: config.password, userDomainName: config.userDomainName ?? "Default", projectId: config.projectId, region: config.region },
    api,
    config.id,
  );
  const storage = new SwiftJobStorage(new SwiftClient(session, api, config.id, config.container), config.region);
  const compute = new NovaCompute(config, new NovaClient(session, api, config.id));
  return new VmJobProvider({ id: config.id, storage, compute, maxUserDataBytes: MAX_USER_DATA_BYTES, ...(config.prefix ? { prefix: config.prefix } : {}), ...(config.bootstrap ? { bootstrap: config.bootstrap } : {}) });
}
