// A minimal gRPC client for EventsService.Subscribe, for the benchmark's subscriber processes only.
// The benchmark measures the server; decoding every event fully with a general-purpose client costs
// as much CPU as the server spends sending it, and on a small machine the subscribers would then
// compete with the server for the same cores. This client frames the request itself and reads only
// what the benchmark needs from each response: an event's cursor, or a heartbeat's caught_up flag.
import { connect, constants, type ClientHttp2Session } from "node:http2";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { SubscribeRequestSchema, HeartbeatSchema } from "@artenic/gen/artenic/events/v1/events_service_pb";
import { StatusSchema } from "@artenic/gen/google/rpc/status_pb";
import { ErrorInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";

/** Callbacks of one subscription. */
export interface LiteHandlers {
  /** An event arrived; `cursor` is its decimal cursor. */
  onEvent(cursor: string): void;
  /** A heartbeat arrived. */
  onHeartbeat(cursor: string, caughtUp: boolean): void;
  /** The stream ended: gRPC status code, message, and ErrorInfo metadata when present. */
  onEnd(code: number, message: string, metadata: Readonly<Record<string, string>>): void;
}

/** Opens an HTTP/2 connection to `url` with a large receive window, as a fast client would. */
export function connectLite(url: string): ClientHttp2Session {
  const session = connect(url, { settings: { initialWindowSize: 1 << 20 } });
  session.on("connect", () => session.setLocalWindowSize(16 << 20));
  session.on("error", () => undefined);
  return session;
}

/** Starts one Subscribe stream on `session`; returns a function that cancels it. */
export function subscribeLite(session: ClientHttp2Session, key: string, request: { resources: readonly string[]; afterCursor: string }, h: LiteHandlers): () => void {
  const body = toBinary(SubscribeRequestSchema, create(SubscribeRequestSchema, { filter: { resources: [...request.resources] }, afterCursor: request.afterCursor }));
  const frame = Buffer.alloc(5 + body.length);
  frame.writeUInt32BE(body.length, 1);
  frame.set(body, 5);
  const stream = session.request({
    [constants.HTTP2_HEADER_METHOD]: "POST",
    [constants.HTTP2_HEADER_PATH]: "/artenic.events.v1.EventsService/Subscribe",
    "content-type": "application/grpc",
    te: "trailers",
    authorization: `Bearer ${key}`,
  });
  stream.end(frame);
  let pending: Buffer = Buffer.alloc(0);
  let ended = false;
  const end = (code: number, message: string, metadata: Record<string, string> = {}) => {
    if (ended) return;
    ended = true;
    h.onEnd(code, message, metadata);
  };
  stream.on("data", (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let at = 0;
    while (pending.length - at >= 5) {
      const length = pending.readUInt32BE(at + 1);
      if (pending.length - at - 5 < length) break;
      handleMessage(pending.subarray(at + 5, at + 5 + length), h);
      at += 5 + length;
    }
    pending = at === pending.length ? Buffer.alloc(0) : pending.subarray(at);
  });
  const finish = (headers: Record<string, string | string[] | undefined>) => {
    const code = Number(headers["grpc-status"] ?? 2);
    const message = decodeURIComponent(String(headers["grpc-message"] ?? ""));
    let metadata: Record<string, string> = {};
    const details = headers["grpc-status-details-bin"];
    if (typeof details === "string") {
      const status = fromBinary(StatusSchema, Buffer.from(details, "base64"));
      for (const any of status.details) {
        const info = anyUnpack(any, ErrorInfoSchema);
        if (info) metadata = { ...info.metadata };
      }
    }
    end(code, message, metadata);
  };
  // Trailers-only responses (errors before any message) carry the status in the headers.
  stream.on("response", (headers) => {
    if (headers["grpc-status"] !== undefined) finish(headers);
  });
  stream.on("trailers", (trailers) => finish(trailers));
  stream.on("close", () => end(14, "stream closed without a status", {}));
  stream.on("error", () => undefined);
  return () => stream.close(constants.NGHTTP2_CANCEL);
}

/** Reads a varint at `at`; returns [value, next offset]. Lengths here are far below 2^31. */
function varint(b: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = b[at++]!;
    value |= (byte & 0x7f) << shift;
    if (byte < 0x80) return [value, at];
    shift += 7;
  }
}

function handleMessage(m: Buffer, h: LiteHandlers): void {
  // SubscribeResponse: field 1 (event) or field 2 (heartbeat), both length-delimited.
  const [length, start] = varint(m, 1);
  const inner = m.subarray(start, start + length);
  if (m[0] === 0x0a) {
    // Event.cursor is field 1, written first by every proto3 serializer that orders fields.
    if (inner[0] !== 0x0a) throw new Error("event without a leading cursor field");
    const [n, from] = varint(inner, 1);
    h.onEvent(inner.toString("latin1", from, from + n));
  } else if (m[0] === 0x12) {
    const hb = fromBinary(HeartbeatSchema, inner);
    h.onHeartbeat(hb.cursor, hb.caughtUp);
  }
}
