import { toJson, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { Code, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { ArtenicError, createArtenicClient, codeName, type ArtenicClient } from "@artenic/sdk/node";
import { UsageError } from "./format.js";

/** The options every command accepts (set on the program, read with `optsWithGlobals`). */
export interface GlobalOptions {
  readonly url?: string;
  readonly apiKey?: string;
  readonly json?: boolean;
  readonly timeout?: string;
  readonly protocol?: string;
}

/** What a command runs with: the client, and how to print. */
export class Context {
  readonly url: string;
  readonly json: boolean;
  /** The last RPC started, to name it in errors (UNIMPLEMENTED especially). */
  lastMethod = "";
  private client?: ArtenicClient;

  constructor(
    private readonly options: GlobalOptions,
    readonly env: NodeJS.ProcessEnv,
    readonly stdout: NodeJS.WriteStream,
    readonly stderr: NodeJS.WriteStream,
  ) {
    this.url = (options.url ?? env["ARTENIC_URL"] ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
    this.json = options.json === true;
    if (!/^https?:\/\/[^/]+/.test(this.url)) throw new UsageError(`--url must be an http:// or https:// URL, got "${this.url}"`);
  }

  /** The SDK client, created on first use. */
  get artenic(): ArtenicClient {
    if (this.client) return this.client;
    const apiKey = this.options.apiKey ?? this.env["ARTENIC_API_KEY"];
    const timeout = this.options.timeout === undefined ? undefined : Number(this.options.timeout);
    if (timeout !== undefined && !(timeout >= 0)) throw new UsageError(`--timeout must be a number of milliseconds, got "${this.options.timeout}"`);
    const record: Interceptor = (next) => (req) => {
      this.lastMethod = `${req.service.typeName}/${req.method.name}`;
      return next(req);
    };
    const interceptors = [record];
    const protocol = this.options.protocol ?? "grpc";
    const transport =
      protocol === "grpc"
        ? createGrpcTransport({ baseUrl: this.url, interceptors })
        : protocol === "connect"
          ? createConnectTransport({ baseUrl: this.url, httpVersion: "2", interceptors })
          : protocol === "grpc-web"
            ? createGrpcWebTransport({ baseUrl: this.url, httpVersion: "2", interceptors })
            : undefined;
    if (!transport) throw new UsageError(`--protocol must be grpc, connect or grpc-web, got "${protocol}"`);
    this.client = createArtenicClient({ transport, apiKey, ...(timeout !== undefined ? { timeoutMs: timeout } : {}) });
    return this.client;
  }

  /** Writes text to stdout. */
  print(text: string): void {
    this.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  }

  /** Writes a value as indented JSON (for --json). */
  printJson(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
  }

  /** Writes one JSON value on one line (JSON Lines, for streams). */
  printJsonLine(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, jsonReplacer)}\n`);
  }

  /** A message in its canonical Protobuf JSON form. */
  messageJson<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): unknown {
    return toJson(schema, message, { alwaysEmitImplicit: false });
  }

  /** Prints `error` as one line (or a JSON object with --json) and returns the exit code. */
  reportError(error: unknown): number {
    if (error instanceof UsageError) {
      this.stderr.write(`artenic: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ArtenicError || isConnectLike(error)) {
      const e = ArtenicError.from(error);
      const message = describe(e, this.url, this.lastMethod);
      if (this.json) {
        this.stderr.write(
          `${JSON.stringify({
            error: {
              code: e.codeName,
              reason: e.reason,
              message,
              method: this.lastMethod,
              metadata: e.metadata,
              fieldViolations: e.fieldViolations,
            },
          })}\n`,
        );
      } else {
        this.stderr.write(`artenic: ${message}\n`);
      }
      return 1;
    }
    const text = error instanceof Error ? error.message : String(error);
    this.stderr.write(this.json ? `${JSON.stringify({ error: { code: "CLIENT", message: text } })}\n` : `artenic: ${text}\n`);
    return 1;
  }
}

function isConnectLike(e: unknown): boolean {
  return typeof e === "object" && e !== null && "code" in e && typeof (e as { code: unknown }).code === "number" && "rawMessage" in e;
}

/** One readable line: code, what went wrong, the reason, and the fields at fault. */
export function describe(e: ArtenicError, url: string, method: string): string {
  const where = method ? method.replace(/^artenic\.[a-z]+\.v1\./, "") : "the call";
  switch (e.code) {
    case Code.Unimplemented:
      return `UNIMPLEMENTED: ${where} is not implemented by the server at ${url} yet (it is part of the contract, and a later server version provides it)`;
    case Code.Unavailable:
      return `UNAVAILABLE: cannot reach the server at ${url} (${e.rawMessage})`;
    case Code.Unauthenticated:
      return `UNAUTHENTICATED: ${e.rawMessage} Set ARTENIC_API_KEY or pass --api-key.${e.reason ? ` [${e.reason}]` : ""}`;
  }
  const code = codeName(e.code);
  // Field violations the message does not already spell out.
  const extra = e.fieldViolations.filter((v) => !e.rawMessage.includes(v.description));
  const fields = extra.length > 0 ? ` (${extra.map((v) => `${v.field}: ${v.description}`).join("; ")})` : "";
  return `${code}: ${e.rawMessage}${fields}${e.reason && e.reason !== code ? ` [${e.reason}]` : ""}`;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
