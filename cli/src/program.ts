import { Option, type Command } from "commander";
import { Context, type GlobalOptions } from "./context.js";
import { UsageError } from "./format.js";

/** The streams and environment a run uses; tests and `run` pass the process's. */
export interface Io {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

/** Shared state of one run: the IO, the context once made, and the exit code. */
export const runState: { io?: Io | undefined; context?: Context | undefined; exitCode: number } = { exitCode: 0 };

/**
 * Wraps a command body: makes the context from the global options, runs the body with the
 * positional arguments and the command's options, and records its exit code (default 0). Errors
 * propagate to `run`, which prints them.
 */
export function action<O>(body: (ctx: Context, args: string[], options: O) => Promise<number | void>) {
  return async (...params: unknown[]): Promise<void> => {
    const command = params.at(-1) as Command;
    const options = params.at(-2) as O;
    const args = params.slice(0, -2).flat() as string[];
    const io = runState.io!;
    const ctx = new Context(command.optsWithGlobals<GlobalOptions>(), io.env, io.stdout, io.stderr);
    runState.context = ctx;
    const code = await body(ctx, args, options);
    runState.exitCode = typeof code === "number" ? code : 0;
  };
}

/** Commander collector for repeatable options. */
export function repeatable(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--limit <n>`: how many items a list fetches at most (following pages), default 100. */
export function limitOption(defaultLimit = 100): Option {
  return new Option("--limit <n>", "the most items to list").default(defaultLimit).argParser(positiveInt("--limit"));
}

export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${value}"`);
    return n;
  };
}

/** Parses `key=value` pairs into a map. */
export function keyValues(pairs: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf("=");
    if (i <= 0) throw new UsageError(`${flag} expects key=value, got "${pair}"`);
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

/** Takes at most `limit` items from an async iterable, then stops it. */
export async function collect<T>(items: AsyncIterable<T>, limit: number): Promise<T[]> {
  const out: T[] = [];
  if (limit <= 0) return out;
  for await (const item of items) {
    out.push(item);
    if (out.length >= limit) break;
  }
  return out;
}
