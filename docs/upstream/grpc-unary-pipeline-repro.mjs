// Server CPU per unary call of Connect's universal handlers, in-process (no sockets, no adapter):
// the same Echo method called with the gRPC protocol and with the Connect protocol (binary), 64
// calls in flight, 2 s after a 1 s warm-up. Run as abort-reason-repro.mjs says.
import { createConnectRouter } from "@connectrpc/connect";
import { Probe, routes } from "./probe-service.mjs";

const router = createConnectRouter();
routes(router);
const handlers = new Map(router.handlers.flatMap((h) => h.protocolNames.map((p) => [p, h])));
// "x" as google.protobuf.StringValue: field 1, length 1.
const message = new Uint8Array([0x0a, 0x01, 0x78]);
const envelope = new Uint8Array([0, 0, 0, 0, message.length, ...message]);

const cases = {
  grpc: { handler: handlers.get("grpc"), contentType: "application/grpc", body: envelope },
  "connect (proto)": { handler: handlers.get("connect"), contentType: "application/proto", body: message },
};

async function call({ handler, contentType, body }) {
  const res = await handler({
    httpVersion: "2.0",
    method: "POST",
    url: "http://localhost/artenic.repro.v1.Probe/Echo",
    header: new Headers({ "content-type": contentType }),
    body: (async function* () {
      yield body;
    })(),
    signal: new AbortController().signal,
  });
  if (res.body) for await (const _ of res.body);
}

async function run(c, ms) {
  const end = performance.now() + ms;
  let n = 0;
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (performance.now() < end) {
        await call(c);
        n++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / n;
}

for (const [name, c] of Object.entries(cases)) {
  await run(c, 1000);
  console.log(`${name}: ${(await run(c, 2000)).toFixed(1)} µs CPU per unary call`);
}
