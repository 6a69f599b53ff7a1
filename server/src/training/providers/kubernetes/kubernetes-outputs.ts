import { gunzipSync } from "node:zlib";
import { AppError } from "../../../platform/errors/app-error.js";

/**
 * Outputs leave the cluster through the pod's log: a native sidecar (an init container with
 * `restartPolicy: Always`, Kubernetes 1.29+) shares ARTENIC_OUTPUT_DIR with the training container,
 * and when the kubelet stops it after the training container exits, it prints the directory as a
 * base64 tar.gz between two marker lines. No object store, no exec, no port forward, and the
 * training image needs nothing; the helper image needs `sh`, `tar` (with gzip) and `base64`.
 * The log read back after the Job ends is bounded by the kubelet's log size (10 MiB by default).
 */

export const OUTPUTS_CONTAINER = "collect-outputs";
export const OUTPUTS_BEGIN = "ARTENIC-OUTPUTS-BEGIN";
export const OUTPUTS_END = "ARTENIC-OUTPUTS-END";

/** The sidecar's script: wait until stopped, then dump the outputs. */
export function outputsScript(outputDir: string): string {
  return [
    `dump() { echo ${OUTPUTS_BEGIN}; (cd ${outputDir} && tar -czf - .) | base64; echo ${OUTPUTS_END}; exit 0; }`,
    "trap dump TERM INT",
    "while true; do sleep 1 & wait $!; done",
  ].join("\n");
}

export interface OutputFile {
  readonly name: string;
  read(): Promise<Uint8Array>;
}

/** Files of a POSIX (ustar/GNU) tar archive: regular files only, `./` stripped, GNU long names honoured. */
export function readTar(archive: Uint8Array): OutputFile[] {
  const buf = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
  const files: OutputFile[] = [];
  let longName: string | undefined;
  const text = (start: number, length: number) => {
    const raw = buf.subarray(start, start + length);
    const nul = raw.indexOf(0);
    return raw.subarray(0, nul < 0 ? raw.length : nul).toString("utf8");
  };
  for (let offset = 0; offset + 512 <= buf.length; ) {
    const header = buf.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(text(offset + 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = text(offset + 257, 6).startsWith("ustar") ? text(offset + 345, 155) : "";
    const name = longName ?? (prefix ? `${prefix}/${text(offset, 100)}` : text(offset, 100));
    const body = offset + 512;
    longName = undefined;
    if (type === "L") {
      longName = text(body, size);
    } else if (type === "0" || type === "\0") {
      const content = Buffer.from(buf.subarray(body, body + size));
      const clean = name.replace(/^(\.\/)+/, "");
      if (clean !== "" && !clean.split("/").includes("..")) files.push({ name: clean, read: async () => content });
    }
    offset = body + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** Extracts the dumped outputs from the sidecar's log; [] when it printed none. */
export function outputsFromLog(log: string): OutputFile[] {
  const begin = log.indexOf(`${OUTPUTS_BEGIN}\n`);
  if (begin < 0) return [];
  const end = log.indexOf(OUTPUTS_END, begin);
  if (end < 0) {
    throw new AppError("unavailable", "KUBERNETES_OUTPUTS_INCOMPLETE", "kubernetes: the job's outputs are still being written to the log of its collect-outputs container.", {}, { retryDelayMs: 2000 });
  }
  const encoded = log.slice(begin + OUTPUTS_BEGIN.length + 1, end).replace(/\s+/g, "");
  if (encoded === "") return [];
  return readTar(gunzipSync(Buffer.from(encoded, "base64")));
}
