import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createArtenicClient, createNodeTransport, openArtifactFile } from "./node.js";

describe("the Node entry point", () => {
  it("builds a transport from baseUrl when none is given", () => {
    const artenic = createArtenicClient({ baseUrl: "http://127.0.0.1:1", apiKey: "k" });
    expect(typeof artenic.registry.listModels).toBe("function");
    expect(artenic.transport).toBeDefined();
    for (const protocol of ["grpc", "connect", "grpc-web"] as const) expect(createNodeTransport({ protocol })).toBeDefined();
  });

  it("reports an unreachable server as UNAVAILABLE after retrying reads", async () => {
    const attempts: number[] = [];
    const artenic = createArtenicClient({ baseUrl: "http://127.0.0.1:1", retry: { initialBackoffMs: 1, onRetry: (r) => attempts.push(r.attempt) } });
    const error = await artenic.registry.listModels({}).catch((e: unknown) => e);
    expect((error as { codeName: string }).codeName).toBe("UNAVAILABLE");
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("opens a file as a sized stream for uploads", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "artenic-sdk-")), "a.bin");
    writeFileSync(path, new Uint8Array(3000).fill(1));
    const file = await openArtifactFile(path);
    expect(file.size).toBe(3000);
    let n = 0;
    for await (const chunk of file) n += chunk.byteLength;
    expect(n).toBe(3000);
  });
});
