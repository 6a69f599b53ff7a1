import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { listen, type RequestHandler } from "../../src/platform/http/listener.js";

export interface RoutesServer {
  readonly baseUrl: string;
  close(): Promise<void>;
}

/** Serves bare routes (no auth, no database) on the production listener, on a random loopback port. */
export async function serveRoutes(routes: (router: ConnectRouter) => void): Promise<RoutesServer> {
  const listener = await listen(connectNodeAdapter({ routes }) as RequestHandler, { host: "127.0.0.1", port: 0 });
  return { baseUrl: `http://127.0.0.1:${listener.address.port}`, close: () => listener.close(0) };
}
