import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { PlatformTransfer } from "../../src/training/transfer/index.js";

/**
 * The platform transfer behind a plain HTTP server on 127.0.0.1, as the Artenic server's port serves
 * it (the same route function), for adapter tests that do not start the whole server. Records every
 * transfer request's method, object key and status.
 */
export async function startTransferServer(dataDir: string): Promise<{ transfer: PlatformTransfer; url: string; requests: { method: string; key: string; status: number }[]; close(): Promise<void> }> {
  const transfer = new PlatformTransfer({ root: join(dataDir, "training", "transfer"), secret: randomBytes(32), maxUploadBytes: 64 * 1024 * 1024 });
  const requests: { method: string; key: string; status: number }[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0]!;
    // Recorded once the exchange is over: "finish" when the answer was flushed, or "close" when the
    // client hung up first (curl may close as soon as it has every byte it asked for).
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      requests.push({ method: req.method ?? "", key: path.replace("/training-transfer/v1/", ""), status: res.statusCode });
    };
    res.on("finish", record);
    res.on("close", record);
    if (!transfer.routes(req, res, path)) res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  transfer.setPublicUrl(url);
  return { transfer, url, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}
