import { create } from "@bufbuild/protobuf";
import { anyPack, type Any } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  ConformancePayload_ConnectGetInfoSchema,
  ConformancePayload_RequestInfoSchema,
  ConformancePayloadSchema,
  type ConformancePayload,
  type ConformancePayload_RequestInfo,
  type ConformancePayload_ConnectGetInfo,
  type ConformanceService,
  type Error as ConformanceError,
  type Header,
  HeaderSchema,
  BidiStreamRequestSchema,
  BidiStreamResponseSchema,
  ClientStreamRequestSchema,
  ClientStreamResponseSchema,
  IdempotentUnaryRequestSchema,
  IdempotentUnaryResponseSchema,
  ServerStreamRequestSchema,
  ServerStreamResponseSchema,
  type StreamResponseDefinition,
  UnaryRequestSchema,
  UnaryResponseSchema,
  type UnaryResponseDefinition,
} from "./gen/connectrpc/conformance/v1/service_pb.js";

/**
 * `connectrpc.conformance.v1.ConformanceService` as the conformance suite documents it: every
 * response echoes what the server observed (headers, timeout, the requests as `Any`, Connect GET
 * query parameters), and the request's response definition says what to answer — data, headers,
 * trailers, a delay, or an error carrying the observed request info in its details. `Unimplemented`
 * is deliberately left out, so the router answers UNIMPLEMENTED as it does for any missing method.
 */
export function createConformanceServiceHandler(): Partial<ServiceImpl<typeof ConformanceService>> {
  return {
    async unary(request, ctx) {
      const payload = await answerUnary(request.responseDefinition, observe(ctx)([anyPack(UnaryRequestSchema, request)]), ctx);
      return create(UnaryResponseSchema, { payload });
    },

    async idempotentUnary(request, ctx) {
      const payload = await answerUnary(request.responseDefinition, observe(ctx)([anyPack(IdempotentUnaryRequestSchema, request)]), ctx);
      return create(IdempotentUnaryResponseSchema, { payload });
    },

    async clientStream(requests, ctx) {
      const requestInfo = observe(ctx);
      let definition: UnaryResponseDefinition | undefined;
      const received: Any[] = [];
      for await (const request of requests) {
        // Only the first message's definition counts; later ones are ignored.
        if (received.length === 0) definition = request.responseDefinition;
        received.push(anyPack(ClientStreamRequestSchema, request));
      }
      const payload = await answerUnary(definition, requestInfo(received), ctx);
      return create(ClientStreamResponseSchema, { payload });
    },

    async *serverStream(request, ctx) {
      const requestInfo = observe(ctx);
      const definition = request.responseDefinition;
      if (!definition) return;
      setMetadata(definition, ctx);
      const received = [anyPack(ServerStreamRequestSchema, request)];
      let sent = 0;
      for (const data of definition.responseData) {
        // The request info goes in the first response only: nothing in it changes afterwards.
        const payload = create(ConformancePayloadSchema, { data, requestInfo: sent === 0 ? requestInfo(received) : undefined });
        await delay(definition.responseDelayMs, ctx.signal);
        yield create(ServerStreamResponseSchema, { payload });
        sent++;
      }
      if (definition.error) throw toConnectError(definition.error, sent === 0 ? requestInfo(received) : undefined);
    },

    async *bidiStream(requests, ctx) {
      const requestInfo = observe(ctx);
      let definition: StreamResponseDefinition | undefined;
      let fullDuplex = false;
      let first = true;
      let sent = 0;
      // Full duplex: the requests since the last response; half duplex: all of them.
      let received: Any[] = [];
      for await (const request of requests) {
        received.push(anyPack(BidiStreamRequestSchema, request));
        if (first) {
          first = false;
          definition = request.responseDefinition;
          fullDuplex = request.fullDuplex;
          if (definition) setMetadata(definition, ctx);
        }
        if (!fullDuplex) continue;
        const data = definition?.responseData[sent];
        // Out of responses: stop reading, and answer with the definition's error, if any.
        if (data === undefined) break;
        const info = sent === 0 ? requestInfo(received) : create(ConformancePayload_RequestInfoSchema, { requests: received });
        await delay(definition?.responseDelayMs ?? 0, ctx.signal);
        yield create(BidiStreamResponseSchema, { payload: create(ConformancePayloadSchema, { data, requestInfo: info }) });
        sent++;
        received = [];
      }
      if (!definition) return;
      // Half duplex (or full duplex with more responses than requests): the rest now.
      for (; sent < definition.responseData.length; sent++) {
        const payload = create(ConformancePayloadSchema, {
          data: definition.responseData[sent]!,
          requestInfo: sent === 0 ? requestInfo(received) : undefined,
        });
        await delay(definition.responseDelayMs, ctx.signal);
        yield create(BidiStreamResponseSchema, { payload });
      }
      if (definition.error) throw toConnectError(definition.error, sent === 0 ? requestInfo(received) : undefined);
    },
  };
}

/** Unary and client-stream answers: the payload, or the definition's error with the request info. */
async function answerUnary(definition: UnaryResponseDefinition | undefined, info: ConformancePayload_RequestInfo, ctx: HandlerContext): Promise<ConformancePayload> {
  if (!definition) return create(ConformancePayloadSchema, { requestInfo: info });
  setMetadata(definition, ctx);
  await delay(definition.responseDelayMs, ctx.signal);
  if (definition.response.case === "error") throw toConnectError(definition.response.value, info);
  return create(ConformancePayloadSchema, {
    requestInfo: info,
    data: definition.response.case === "responseData" ? definition.response.value : new Uint8Array(0),
  });
}

function setMetadata(definition: { responseHeaders: Header[]; responseTrailers: Header[] }, ctx: HandlerContext): void {
  for (const h of definition.responseHeaders) for (const v of h.value) ctx.responseHeader.append(h.name, v);
  for (const h of definition.responseTrailers) for (const v of h.value) ctx.responseTrailer.append(h.name, v);
}

/**
 * What the server observed about the call, echoed back for the suite to compare with what it sent.
 * Taken when the handler starts, so the timeout is the one the request carried, not what is left of
 * it after reading a client stream.
 */
function observe(ctx: HandlerContext): (requests: Any[]) => ConformancePayload_RequestInfo {
  const requestHeaders: Header[] = [];
  ctx.requestHeader.forEach((value, name) => requestHeaders.push(create(HeaderSchema, { name, value: [value] })));
  const timeout = ctx.timeoutMs();
  let connectGetInfo: ConformancePayload_ConnectGetInfo | undefined;
  if (ctx.requestMethod === "GET") {
    const params = new Map<string, string[]>();
    for (const [name, value] of new URL(ctx.url, "http://localhost").searchParams) {
      const values = params.get(name) ?? [];
      values.push(value);
      params.set(name, values);
    }
    connectGetInfo = create(ConformancePayload_ConnectGetInfoSchema, {
      queryParams: [...params].map(([name, value]) => create(HeaderSchema, { name, value })),
    });
  }
  return (requests) =>
    create(ConformancePayload_RequestInfoSchema, {
      requestHeaders,
      requests,
      connectGetInfo,
      ...(timeout === undefined ? {} : { timeoutMs: BigInt(Math.max(0, Math.round(timeout))) }),
    });
}

/** The definition's error as a Connect error; its details as given, then the request info if any. */
function toConnectError(error: ConformanceError, info: ConformancePayload_RequestInfo | undefined): ConnectError {
  const result = new ConnectError(error.message ?? "", error.code as number as Code);
  for (const detail of error.details) {
    result.details.push({ type: detail.typeUrl.slice(detail.typeUrl.lastIndexOf("/") + 1), value: detail.value });
  }
  if (info) result.details.push({ desc: ConformancePayload_RequestInfoSchema, value: info });
  return result;
}

/** Waits `ms`, or until the call ends (deadline, cancellation), whichever comes first. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new ConnectError("the call ended", Code.Canceled));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
}
