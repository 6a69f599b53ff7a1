/**
 * Test support: an Artenic client whose calls are answered in memory by the handlers you give,
 * through Connect's `createRouterTransport`, with the same deadlines, retries and typed errors as a
 * real client.
 *
 * @packageDocumentation
 */
import { createRouterTransport, type ConnectRouter } from "@connectrpc/connect";
import { createArtenicClient, type ArtenicClient, type ArtenicClientOptions } from "./client.js";

/**
 * @example
 * const artenic = createMockArtenicClient(({ service }) => {
 *   service(RegistryService, { getModel: (req) => ({ model: { name: req.name } }) });
 * });
 */
export function createMockArtenicClient(routes: (router: ConnectRouter) => void, options: Omit<ArtenicClientOptions, "transport"> = {}): ArtenicClient {
  return createArtenicClient({ ...options, transport: createRouterTransport(routes) });
}
