// A probe service for the RPC benchmark and the protocol tests: one tiny unary method whose behaviour
// the request controls (sleep, fail with details, echo a payload) and one server stream. It is built
// from a descriptor at runtime, so it never becomes part of the public contracts in proto/.
import { create, createFileRegistry, type DescMessage, type DescService, type MessageShape } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FileDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ConnectRouter, type ServiceImpl } from "@connectrpc/connect";
import { ErrorInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";

const file = create(FileDescriptorProtoSchema, {
  name: "artenic/testing/v1/probe.proto",
  package: "artenic.testing.v1",
  syntax: "proto3",
  messageType: [
    {
      name: "SumRequest",
      field: [
        { name: "values", number: 1, label: Label.REPEATED, type: Type.FLOAT, jsonName: "values" },
        { name: "payload", number: 2, label: Label.OPTIONAL, type: Type.BYTES, jsonName: "payload" },
        { name: "sleep_ms", number: 3, label: Label.OPTIONAL, type: Type.INT32, jsonName: "sleepMs" },
        { name: "fail_code", number: 4, label: Label.OPTIONAL, type: Type.INT32, jsonName: "failCode" },
        { name: "header_value", number: 5, label: Label.OPTIONAL, type: Type.STRING, jsonName: "headerValue" },
      ],
    },
    {
      name: "SumResponse",
      field: [
        { name: "sum", number: 1, label: Label.OPTIONAL, type: Type.FLOAT, jsonName: "sum" },
        { name: "max", number: 2, label: Label.OPTIONAL, type: Type.FLOAT, jsonName: "max" },
        { name: "payload", number: 3, label: Label.OPTIONAL, type: Type.BYTES, jsonName: "payload" },
      ],
    },
    { name: "CountRequest", field: [{ name: "count", number: 1, label: Label.OPTIONAL, type: Type.INT32, jsonName: "count" }] },
    {
      name: "CountEvent",
      field: [
        { name: "id", number: 1, label: Label.OPTIONAL, type: Type.STRING, jsonName: "id" },
        { name: "seq", number: 2, label: Label.OPTIONAL, type: Type.INT64, jsonName: "seq" },
        { name: "at_unix_ms", number: 3, label: Label.OPTIONAL, type: Type.INT64, jsonName: "atUnixMs" },
      ],
    },
  ],
  service: [
    {
      name: "ProbeService",
      method: [
        { name: "Sum", inputType: ".artenic.testing.v1.SumRequest", outputType: ".artenic.testing.v1.SumResponse" },
        { name: "Count", inputType: ".artenic.testing.v1.CountRequest", outputType: ".artenic.testing.v1.CountEvent", serverStreaming: true },
        // Client stream and bidi stream, for the protocol tests (the benchmark does not use them).
        { name: "Total", inputType: ".artenic.testing.v1.SumRequest", outputType: ".artenic.testing.v1.SumResponse", clientStreaming: true },
        { name: "Running", inputType: ".artenic.testing.v1.SumRequest", outputType: ".artenic.testing.v1.SumResponse", clientStreaming: true, serverStreaming: true },
      ],
    },
  ],
});
const registry = createFileRegistry(file, () => undefined);

function message(name: string): DescMessage {
  const desc = registry.getMessage(`artenic.testing.v1.${name}`);
  if (!desc) throw new Error(`probe descriptor lacks ${name}`);
  return desc;
}

export const SumRequestSchema = message("SumRequest");
export const SumResponseSchema = message("SumResponse");
export const CountRequestSchema = message("CountRequest");
export const CountEventSchema = message("CountEvent");
export const ProbeService: DescService = registry.getService("artenic.testing.v1.ProbeService")!;

export interface SumRequest {
  values: number[];
  payload: Uint8Array;
  sleepMs: number;
  failCode: number;
  headerValue: string;
}
export interface SumResponse {
  sum: number;
  max: number;
  payload: Uint8Array;
}
export interface CountEvent {
  id: string;
  seq: bigint;
  atUnixMs: bigint;
}

/** A fixed time, so every streamed message has the same size. */
const FIXED_TIME_MS = 1_790_000_000_000n;

/**
 * The unary logic both benchmark servers run: sum and max of the values, the payload echoed back.
 * Tests steer it: `sleepMs` waits (ending early with the call's signal), `failCode` throws that gRPC
 * code with an ErrorInfo detail.
 */
export async function probeSum(req: SumRequest, signal: AbortSignal): Promise<SumResponse> {
  if (req.sleepMs > 0) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, req.sleepMs);
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }
  if (req.failCode > 0) {
    throw new ConnectError("the probe was asked to fail", req.failCode as Code, undefined, [
      { desc: ErrorInfoSchema, value: { reason: "PROBE_FAILURE", domain: "probe.artenic.dev", metadata: { code: String(req.failCode) } } },
    ]);
  }
  let sum = 0;
  let max = -Infinity;
  for (const v of req.values) {
    sum += v;
    if (v > max) max = v;
  }
  return { sum, max: req.values.length ? max : 0, payload: req.payload };
}

/** The streaming logic both benchmark servers run: `count` small messages of the same size. */
export function* probeCount(count: number): Generator<CountEvent> {
  for (let i = 0; i < count; i++) yield { id: "job-000042", seq: BigInt(i), atUnixMs: FIXED_TIME_MS };
}

/** Registers the probe service with the given options (the platform's gate and interceptors). */
export function registerProbeService(router: ConnectRouter, options: object = {}): void {
  // The descriptor is built at runtime, so ServiceImpl cannot name the message types statically.
  const impl = {
    async sum(req: MessageShape<DescMessage>, ctx: { signal: AbortSignal; responseHeader: Headers; calls?: number }) {
      const r = req as unknown as SumRequest;
      // Set before the call ends, so a client sees it in the response headers (or trailers-only metadata).
      if (r.headerValue) ctx.responseHeader.set("x-probe", r.headerValue);
      return create(SumResponseSchema, (await probeSum(r, ctx.signal)) as never);
    },
    async *count(req: MessageShape<DescMessage>) {
      for (const e of probeCount((req as unknown as { count: number }).count)) yield create(CountEventSchema, e as never);
    },
  } as unknown as ServiceImpl<DescService>;
  router.service(ProbeService as never, impl as never, options);
}
