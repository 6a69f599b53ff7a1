import {
  create,
  createFileRegistry,
  fromBinary,
  type DescFile,
  type DescService,
  type MessageInitShape,
} from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  type FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import { file_buf_validate_validate } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { createClient, createRouterTransport, type ConnectRouter, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Health } from "@artenic/gen/grpc/health/v1/health_pb";
import { file_google_rpc_error_details } from "@artenic/gen/google/rpc/error_details_pb";
import {
  ServerReflection,
  type ServerReflectionRequestSchema,
  type ServerReflectionResponse,
} from "@artenic/gen/grpc/reflection/v1/reflection_pb";
import { ServerReflection as ServerReflectionV1alpha } from "@artenic/gen/grpc/reflection/v1alpha/reflection_pb";
import { describe, expect, it } from "vitest";
import { registerReflection } from "./reflection.js";
import { serveRoutes } from "../../../test/support/routes-server.js";

type RequestInit = MessageInitShape<typeof ServerReflectionRequestSchema>;

const { INT32, MESSAGE } = FieldDescriptorProto_Type;
const { OPTIONAL } = FieldDescriptorProto_Label;

/**
 * A service whose file imports a service-less file (error_details, which imports duration) and
 * protovalidate (which imports descriptor, duration, field_mask and timestamp), so that imports
 * overlap, and which declares an extension of a WKT options message.
 */
function probeService(): DescService {
  const proto = create(FileDescriptorProtoSchema, {
    name: "artenic/probe/v1/probe.proto",
    package: "artenic.probe.v1",
    syntax: "proto3",
    dependency: ["google/rpc/error_details.proto", "buf/validate/validate.proto"],
    messageType: [
      {
        name: "ProbeRequest",
        field: [
          { name: "info", jsonName: "info", number: 1, label: OPTIONAL, type: MESSAGE, typeName: ".google.rpc.ErrorInfo" },
        ],
        nestedType: [{ name: "Inner" }],
      },
    ],
    extension: [
      {
        name: "probe_level",
        jsonName: "probeLevel",
        number: 50_000,
        label: OPTIONAL,
        type: INT32,
        extendee: ".google.protobuf.FieldOptions",
      },
    ],
    service: [
      {
        name: "ProbeService",
        method: [
          { name: "Probe", inputType: ".artenic.probe.v1.ProbeRequest", outputType: ".artenic.probe.v1.ProbeRequest" },
        ],
      },
    ],
  });
  const imports = new Map<string, DescFile>(
    [file_google_rpc_error_details, file_buf_validate_validate].map((file) => [file.proto.name, file]),
  );
  const service = createFileRegistry(proto, (name) => imports.get(name)).getService("artenic.probe.v1.ProbeService");
  if (service === undefined) throw new Error("the probe service did not load");
  return service;
}

function exposedServices(): DescService[] {
  return [probeService(), Health, ServerReflection, ServerReflectionV1alpha];
}

function inMemoryTransport(): Transport {
  return createRouterTransport((router) => registerReflection(router, exposedServices()));
}

/** Sends `requests` on one stream and collects the answers, so per-stream state is exercised. */
async function reflect(transport: Transport, ...requests: RequestInit[]): Promise<ServerReflectionResponse[]> {
  const client = createClient(ServerReflection, transport);
  const responses: ServerReflectionResponse[] = [];
  for await (const response of client.serverReflectionInfo(toAsync(requests))) responses.push(response);
  return responses;
}

async function* toAsync<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

function fileNames(response: ServerReflectionResponse | undefined): string[] {
  if (response?.messageResponse.case !== "fileDescriptorResponse") {
    throw new Error(`expected file descriptors, got ${response?.messageResponse.case}`);
  }
  return decodeNames(response.messageResponse.value.fileDescriptorProto);
}

function decodeNames(files: readonly Uint8Array[]): string[] {
  return files.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes).name);
}

function decodeFirst(response: ServerReflectionResponse | undefined): FileDescriptorProto {
  if (response?.messageResponse.case !== "fileDescriptorResponse") throw new Error("expected file descriptors");
  const [first] = response.messageResponse.value.fileDescriptorProto;
  if (first === undefined) throw new Error("the response holds no file");
  return fromBinary(FileDescriptorProtoSchema, first);
}

function fieldOptionsExtension(extensionNumber: number): RequestInit {
  return {
    messageRequest: {
      case: "fileContainingExtension",
      value: { containingType: "google.protobuf.FieldOptions", extensionNumber },
    },
  };
}

function errorCode(response: ServerReflectionResponse | undefined): number | undefined {
  return response?.messageResponse.case === "errorResponse" ? response.messageResponse.value.errorCode : undefined;
}

const PROBE_FILE_AND_IMPORTS = [
  "artenic/probe/v1/probe.proto",
  "google/rpc/error_details.proto",
  "google/protobuf/duration.proto",
  "buf/validate/validate.proto",
  "google/protobuf/descriptor.proto",
  "google/protobuf/field_mask.proto",
  "google/protobuf/timestamp.proto",
];

describe("grpc.reflection.v1.ServerReflection.ServerReflectionInfo", () => {
  it("lists exactly the given services when asked for list_services", async () => {
    const [response] = await reflect(inMemoryTransport(), { messageRequest: { case: "listServices", value: "" } });

    const listed = response?.messageResponse.case === "listServicesResponse" ? response.messageResponse.value : undefined;
    expect(listed?.service.map((service) => service.name)).toEqual([
      "artenic.probe.v1.ProbeService",
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
    ]);
  });

  it("returns a decodable file first, then each transitive import once, when asked by file name", async () => {
    const [response] = await reflect(inMemoryTransport(), {
      messageRequest: { case: "fileByFilename", value: "artenic/probe/v1/probe.proto" },
    });

    const file = decodeFirst(response);
    expect(file.name).toBe("artenic/probe/v1/probe.proto");
    expect(file.dependency).toEqual(["google/rpc/error_details.proto", "buf/validate/validate.proto"]);
    expect(file.service[0]?.name).toBe("ProbeService");
    expect(fileNames(response)).toEqual(PROBE_FILE_AND_IMPORTS);
  });

  it("returns a service-less file and its imports when asked by file name", async () => {
    const [response] = await reflect(inMemoryTransport(), {
      messageRequest: { case: "fileByFilename", value: "google/rpc/error_details.proto" },
    });

    const file = decodeFirst(response);
    expect(file.package).toBe("google.rpc");
    expect(file.messageType.map((message) => message.name)).toContain("ErrorInfo");
    expect(fileNames(response)).toEqual(["google/rpc/error_details.proto", "google/protobuf/duration.proto"]);
  });

  it("omits imports already sent on the stream when a later request shares them", async () => {
    const [first, second, third] = await reflect(
      inMemoryTransport(),
      { messageRequest: { case: "fileByFilename", value: "artenic/probe/v1/probe.proto" } },
      { messageRequest: { case: "fileByFilename", value: "google/rpc/error_details.proto" } },
      { messageRequest: { case: "fileContainingSymbol", value: "artenic.probe.v1.ProbeService" } },
    );

    expect(fileNames(first)).toEqual(PROBE_FILE_AND_IMPORTS);
    expect(fileNames(second)).toEqual(["google/rpc/error_details.proto"]);
    expect(fileNames(third)).toEqual(["artenic/probe/v1/probe.proto"]);
  });

  it("sends imports again when they were sent on another stream", async () => {
    const transport = inMemoryTransport();
    const request: RequestInit = { messageRequest: { case: "fileByFilename", value: "google/rpc/error_details.proto" } };

    const [first] = await reflect(transport, request);
    const [second] = await reflect(transport, request);

    expect(fileNames(second)).toEqual(fileNames(first));
  });

  it.each([
    ["a service", "grpc.health.v1.Health", "grpc/health/v1/health.proto"],
    ["a method", "grpc.health.v1.Health.Check", "grpc/health/v1/health.proto"],
    ["a message", "google.rpc.ErrorInfo", "google/rpc/error_details.proto"],
    ["a nested message", "artenic.probe.v1.ProbeRequest.Inner", "artenic/probe/v1/probe.proto"],
    ["a map entry", "grpc.health.v1.HealthListResponse.StatusesEntry", "grpc/health/v1/health.proto"],
    ["a nested enum", "grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto"],
    ["an enum value", "grpc.health.v1.HealthCheckResponse.SERVING", "grpc/health/v1/health.proto"],
    ["a top-level enum", "buf.validate.Ignore", "buf/validate/validate.proto"],
    ["an extension", "buf.validate.field", "buf/validate/validate.proto"],
    ["an imported WKT", "google.protobuf.Duration", "google/protobuf/duration.proto"],
  ])("returns the defining file when asked for %s", async (_kind, symbol, expectedFile) => {
    const [response] = await reflect(inMemoryTransport(), {
      messageRequest: { case: "fileContainingSymbol", value: symbol },
    });

    expect(fileNames(response)[0]).toBe(expectedFile);
  });

  it("returns error_code 5 and keeps the stream open when the symbol is unknown", async () => {
    const [unknown, next] = await reflect(
      inMemoryTransport(),
      { messageRequest: { case: "fileContainingSymbol", value: "no.such.v1.Thing" } },
      { messageRequest: { case: "fileContainingSymbol", value: "grpc.health.v1.Health" } },
    );

    expect(errorCode(unknown)).toBe(5);
    expect(fileNames(next)[0]).toBe("grpc/health/v1/health.proto");
  });

  it("returns error_code 5 when the file is unknown", async () => {
    const [response] = await reflect(inMemoryTransport(), {
      messageRequest: { case: "fileByFilename", value: "no/such/file.proto" },
    });

    expect(errorCode(response)).toBe(5);
  });

  it("returns error_code 5 when the file exists but no exposed service imports it", async () => {
    const [response] = await reflect(inMemoryTransport(), {
      messageRequest: { case: "fileByFilename", value: "google/protobuf/any.proto" },
    });

    expect(errorCode(response)).toBe(5);
  });

  it("returns the defining file when asked for a known extension", async () => {
    const [validate, probe] = await reflect(
      inMemoryTransport(),
      fieldOptionsExtension(1159),
      fieldOptionsExtension(50_000),
    );

    expect(fileNames(validate)[0]).toBe("buf/validate/validate.proto");
    expect(fileNames(probe)[0]).toBe("artenic/probe/v1/probe.proto");
  });

  it("returns error_code 5 when the extension number is unknown", async () => {
    const [response] = await reflect(inMemoryTransport(), fieldOptionsExtension(1));

    expect(errorCode(response)).toBe(5);
  });

  it("returns every known extension number when asked for all_extension_numbers_of_type", async () => {
    const [fieldOptions, errorInfo] = await reflect(
      inMemoryTransport(),
      { messageRequest: { case: "allExtensionNumbersOfType", value: "google.protobuf.FieldOptions" } },
      { messageRequest: { case: "allExtensionNumbersOfType", value: "google.rpc.ErrorInfo" } },
    );

    expect(fieldOptions?.messageResponse).toMatchObject({
      case: "allExtensionNumbersResponse",
      value: { baseTypeName: "google.protobuf.FieldOptions", extensionNumber: [1159, 1160, 50_000] },
    });
    expect(errorInfo?.messageResponse).toMatchObject({
      case: "allExtensionNumbersResponse",
      value: { extensionNumber: [] },
    });
  });

  it("returns error_code 5 when all_extension_numbers_of_type names an unknown type", async () => {
    const [response] = await reflect(inMemoryTransport(), {
      messageRequest: { case: "allExtensionNumbersOfType", value: "no.such.v1.Message" },
    });

    expect(errorCode(response)).toBe(5);
  });

  it("returns error_code 3 when the request names no query", async () => {
    const [response] = await reflect(inMemoryTransport(), { host: "h" });

    expect(errorCode(response)).toBe(3);
  });

  it("echoes the host and the original request when answering", async () => {
    const [response] = await reflect(inMemoryTransport(), {
      host: "api.example.com",
      messageRequest: { case: "fileContainingSymbol", value: "no.such.v1.Thing" },
    });

    expect(response?.validHost).toBe("api.example.com");
    expect(response?.originalRequest?.messageRequest).toEqual({ case: "fileContainingSymbol", value: "no.such.v1.Thing" });
  });
});

describe("grpc.reflection.v1alpha.ServerReflection.ServerReflectionInfo", () => {
  it("answers with v1alpha messages like v1 when called through v1alpha", async () => {
    const client = createClient(ServerReflectionV1alpha, inMemoryTransport());
    const requests = toAsync([
      { host: "h", messageRequest: { case: "listServices" as const, value: "" } },
      { messageRequest: { case: "fileContainingSymbol" as const, value: "grpc.health.v1.Health.Watch" } },
    ]);

    const responses = [];
    for await (const response of client.serverReflectionInfo(requests)) responses.push(response);

    expect(responses[0]?.$typeName).toBe("grpc.reflection.v1alpha.ServerReflectionResponse");
    expect(responses[0]?.validHost).toBe("h");
    expect(responses[0]?.messageResponse.case).toBe("listServicesResponse");
    const second = responses[1]?.messageResponse;
    expect(second?.case).toBe("fileDescriptorResponse");
    if (second?.case === "fileDescriptorResponse") {
      expect(decodeNames(second.value.fileDescriptorProto)).toEqual(["grpc/health/v1/health.proto"]);
    }
  });
});

describe("grpc.reflection.v1.ServerReflection over HTTP/2", () => {
  it("answers a bidi stream when called with the gRPC protocol", async () => {
    const server = await serveRoutes((router) => registerReflection(router, exposedServices()));
    try {
      const [list, file, missing] = await reflect(
        createGrpcTransport({ baseUrl: server.baseUrl }),
        { messageRequest: { case: "listServices", value: "" } },
        { messageRequest: { case: "fileContainingSymbol", value: "artenic.probe.v1.ProbeService.Probe" } },
        { messageRequest: { case: "fileContainingSymbol", value: "no.such.v1.Thing" } },
      );

      expect(list?.messageResponse.case).toBe("listServicesResponse");
      expect(fileNames(file)).toEqual(PROBE_FILE_AND_IMPORTS);
      expect(errorCode(missing)).toBe(5);
    } finally {
      await server.close();
    }
  });
});

