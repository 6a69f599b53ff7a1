// Counts AbortController.abort() calls made without a reason while Connect-Node serves unary calls,
// per protocol, over a real HTTP/2 server and client. Node builds a new DOMException (with a stack
// trace) for every such call, even on an already-aborted signal.
// Run from a directory where @connectrpc/connect@2.3.0, @connectrpc/connect-node@2.3.0 and
// @bufbuild/protobuf@2.17.0 are installed unpatched:  node abort-reason-repro.mjs
import * as http2 from "node:http2";
import { createClient } from "@connectrpc/connect";
import { connectNodeAdapter, createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { Probe, routes } from "./probe-service.mjs";

const counts = new Map();
const abort = AbortController.prototype.abort;
AbortController.prototype.abort = function (reason) {
  if (reason === undefined && !process.env.QUIET) {
    // Attribute to the first Connect frame on the stack.
    const frame = new Error().stack.split("\n").find((l) => l.includes("@connectrpc/")) ?? "(not connect)";
    const site = frame.replace(/.*@connectrpc\//, "").replace(/\)?$/, "");
    counts.set(site, (counts.get(site) ?? 0) + 1);
  }
  return abort.call(this, reason);
};

const server = http2.createServer(connectNodeAdapter({ routes }));
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${server.address().port}`;
const N = 1000;
for (const [name, transport] of [
  ["grpc", createGrpcTransport({ baseUrl })],
  ["grpc-web", createGrpcWebTransport({ baseUrl, httpVersion: "2" })],
  ["connect", createConnectTransport({ baseUrl, httpVersion: "2" })],
]) {
  const client = createClient(Probe, transport);
  await client.echo({ value: "warm-up" });
  counts.clear();
  for (let i = 0; i < N; i++) await client.echo({ value: "x" });
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(`${name}: ${(total / N).toFixed(2)} reason-less abort() per call (client and server)`);
  for (const [site, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`  ${(n / N).toFixed(2)}  ${site}`);
}
server.close();
process.exit(0);
