import { describe, expect, it } from "vitest";
import { request, Agent } from "node:http";
import type { Socket } from "node:net";
import { once } from "node:events";
import { listen, type Listener } from "./listener.js";

const ok = (_req: unknown, res: { end(body: string): void }) => res.end("ok");

async function get(port: number, agent: Agent): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/", agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(req.socket as Socket));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the one-port listener over HTTP/1.1", () => {
  // Node tracks an HTTP/1.1 server's connections (for closeIdleConnections and for the
  // headersTimeout checks alike) only once it is listening; the sniffer's HTTP/1.1 server never
  // listens itself. An idle connection closed at once shows the tracking is on.
  it("closes idle keep-alive connections as soon as a graceful close starts", async () => {
    const listener: Listener = await listen(ok as never, { host: "127.0.0.1", port: 0 });
    const agent = new Agent({ keepAlive: true });
    const socket = await get(listener.address.port, agent);
    expect(socket.destroyed).toBe(false);
    let closedBy: "server" | "grace" | undefined;
    const closed = once(socket, "close").then(() => (closedBy ??= "server"));
    // The grace period is far longer than the 5 s keep-alive timeout: only closing the idle
    // connection at once lets the close finish before the test's own limit.
    const closing = listener.close(60_000);
    const fallback = new Promise<void>((resolve) => setTimeout(resolve, 2_500).unref()).then(() => (closedBy ??= "grace"));
    await Promise.race([closed, fallback]);
    expect(closedBy).toBe("server");
    await closing;
    agent.destroy();
  });

});
