import { spawn, type ChildProcess } from "node:child_process";

/** The compiled server's entry point (built by `npm test` before the suites run). */
const main = new URL("../../dist/src/main.js", import.meta.url).pathname;

export { freePort } from "./free-port.js";

/** Starts the compiled server as a real process and waits until it serves. */
export async function spawnServer(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env, ARTENIC_LOG_LEVEL: "info" }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!out.includes("artenic serving")) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

/** Kills the processes still running and waits for them to exit. */
export async function killAll(children: readonly (ChildProcess | undefined)[]): Promise<void> {
  for (const child of children) {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    }
  }
}

/** Reads until `done` holds; on timeout the error shows the last value read. */
export async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    const v = await read().catch(() => undefined);
    if (v !== undefined) last = v;
    if (v !== undefined && done(v)) return v;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last, (_k, x: unknown) => (typeof x === "bigint" ? String(x) : x))?.slice(0, 1500)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
