import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";

const brand = Symbol.for("artenic.ArtenicError");

/**
 * An error answered by the platform, with the stable `reason` from `google.rpc.ErrorInfo`, its
 * metadata, and the offending fields of a `google.rpc.BadRequest`. `instanceof` works across
 * duplicated copies of the package.
 */
export class ArtenicError extends Error {
  override name = "ArtenicError";
  readonly [brand] = true;

  constructor(
    message: string,
    readonly code: Code,
    readonly reason: string,
    readonly metadata: Readonly<Record<string, string>>,
    readonly fieldViolations: readonly { field: string; description: string }[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && brand in value;
  }

  /** Converts any thrown value; non-Connect errors become code Unknown. */
  static from(error: unknown): ArtenicError {
    if (error instanceof ArtenicError) return error;
    const ce = ConnectError.from(error);
    const info = ce.findDetails(ErrorInfoSchema)[0];
    const bad = ce.findDetails(BadRequestSchema)[0];
    return new ArtenicError(
      ce.rawMessage,
      ce.code,
      info?.reason ?? "",
      info?.metadata ?? {},
      bad?.fieldViolations.map((v) => ({ field: v.field, description: v.description })) ?? [],
      { cause: error },
    );
  }
}

/** Runs `call` and rethrows failures as `ArtenicError`. */
export async function withArtenicErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw ArtenicError.from(e);
  }
}
