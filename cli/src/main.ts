import { Command, CommanderError, Option } from "commander";
import { Context } from "./context.js";
import { runState, type Io } from "./program.js";
import { registerRegistryCommands } from "./commands/registry.js";
import { registerInferenceCommands } from "./commands/inference.js";
import { registerOperationsCommands } from "./commands/operations.js";
import { registerCanaryCommands } from "./commands/canaries.js";
import { registerEventsCommands } from "./commands/events.js";
import { registerKeysCommands } from "./commands/keys.js";
import { registerSettingsCommands } from "./commands/settings.js";

const EXAMPLES = `
Environment:
  ARTENIC_URL       the server (default http://127.0.0.1:8080)
  ARTENIC_API_KEY   the API key sent as a bearer token

Examples:
  artenic models create iris --framework sklearn
  artenic versions upload iris iris.onnx --metric accuracy=0.97
  artenic versions promote iris/1
  artenic services create iris --model-version iris/1 --wait
  artenic predict iris rows.csv
  artenic events tail --topic registry --limit 10
  artenic models list --json | jq '.[].name'

Exit codes: 0 ok, 1 the server or a prediction row failed, 2 the command was used wrongly.`;

/** Builds the command tree. */
export function buildProgram(io: Io): Command {
  const program = new Command("artenic")
    .description("Command line for the Artenic ML platform.")
    .version("0.1.0", "-V, --version")
    .addOption(new Option("--url <url>", "server URL (env ARTENIC_URL, default http://127.0.0.1:8080)"))
    .addOption(new Option("--api-key <key>", "API key (env ARTENIC_API_KEY)"))
    .option("--json", "print JSON (JSON Lines for streams) for scripts; errors go to stderr as JSON")
    .option("--timeout <ms>", "deadline of each call in milliseconds (default 30000; 0 for none)")
    .addOption(new Option("--protocol <protocol>", "wire protocol").choices(["grpc", "connect", "grpc-web"]).default("grpc"))
    .showHelpAfterError("(run with --help for usage)")
    .showSuggestionAfterError(true)
    .addHelpText("after", EXAMPLES)
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();
  registerRegistryCommands(program);
  registerInferenceCommands(program);
  registerOperationsCommands(program);
  registerCanaryCommands(program);
  registerEventsCommands(program);
  registerKeysCommands(program);
  registerSettingsCommands(program);
  // Every group and command: usage errors exit 2 rather than calling process.exit.
  const visit = (c: Command) => {
    c.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) }).showHelpAfterError("(run with --help for usage)");
    c.commands.forEach(visit);
  };
  program.commands.forEach(visit);
  return program;
}

/** Runs the CLI on `argv` (as `process.argv`), then exits with its code once output is flushed. */
export async function run(argv: readonly string[], io: Io = { env: process.env, stdout: process.stdout, stderr: process.stderr }): Promise<never> {
  const code = await execute(argv, io);
  await flush(io.stdout);
  await flush(io.stderr);
  // Connections of the HTTP/2 transport would keep the process alive for a while: exit now.
  process.exit(code);
}

/** Runs the CLI and returns its exit code. */
export async function execute(argv: readonly string[], io: Io): Promise<number> {
  runState.io = io;
  runState.exitCode = 0;
  runState.context = undefined;
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv]);
    return runState.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version print and succeed; every other commander error is a usage error.
      return e.exitCode === 0 || e.code === "commander.helpDisplayed" || e.code === "commander.version" ? 0 : 2;
    }
    const json = argv.includes("--json");
    const ctx = runState.context ?? safeContext(io, json);
    return ctx ? ctx.reportError(e) : 2;
  }
}

function safeContext(io: Io, json: boolean): Context | undefined {
  try {
    return new Context({ json }, io.env, io.stdout, io.stderr);
  } catch {
    io.stderr.write("artenic: invalid ARTENIC_URL\n");
    return undefined;
  }
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableLength === 0) resolve();
    else stream.write("", () => resolve());
  });
}
