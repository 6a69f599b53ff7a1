import {
  create,
  fromBinary,
  toBinary,
  type DescFile,
  type DescService,
  type MessageInitShape,
} from "@bufbuild/protobuf";
import {
  FileDescriptorProtoSchema,
  type DescriptorProto,
  type EnumDescriptorProto,
  type FieldDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import { Code, type ConnectRouter } from "@connectrpc/connect";
import type { UniversalHandlerOptions } from "@connectrpc/connect/protocol";
import {
  ServerReflection,
  ServerReflectionRequestSchema,
  ServerReflectionResponseSchema,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
} from "@artenic/gen/grpc/reflection/v1/reflection_pb";
import {
  ServerReflection as ServerReflectionV1alpha,
  ServerReflectionRequestSchema as ServerReflectionRequestSchemaV1alpha,
  ServerReflectionResponseSchema as ServerReflectionResponseSchemaV1alpha,
} from "@artenic/gen/grpc/reflection/v1alpha/reflection_pb";

type ResponseInit = MessageInitShape<typeof ServerReflectionResponseSchema>;

/** What reflection can answer, computed once from the exposed services. */
interface ReflectionIndex {
  readonly serviceNames: readonly string[];
  /** By file name with its `.proto` suffix, as clients ask for it. */
  readonly files: ReadonlyMap<string, DescFile>;
  /** Fully qualified symbol → defining file. */
  readonly symbols: ReadonlyMap<string, DescFile>;
  /** Extended message type → extension number → defining file. */
  readonly extensions: ReadonlyMap<string, ReadonlyMap<number, DescFile>>;
  readonly messageTypes: ReadonlySet<string>;
  /** Serialized `FileDescriptorProto`s, filled on first use. */
  readonly encoded: Map<string, Uint8Array>;
}

/**
 * Registers the standard gRPC server reflection service, both `grpc.reflection.v1` and the older
 * `grpc.reflection.v1alpha` that many clients still try, so that tools such as `buf curl` and
 * grpcurl can list and call `services` without local `.proto` files.
 *
 * `services` is exactly what list_services reports, so pass the health and reflection services
 * too if they should appear. Descriptors are served for the files of `services` and all their
 * transitive imports; anything else, and any malformed request, is answered with an
 * `error_response` (NOT_FOUND or INVALID_ARGUMENT) on the stream, which stays open.
 *
 * @example
 * registerReflection(router, [RegistryService, Health, ServerReflection, ServerReflectionV1alpha]);
 */
export function registerReflection(
  router: ConnectRouter,
  services: readonly DescService[],
  options: Partial<UniversalHandlerOptions> = {},
): void {
  const index = buildIndex(services);
  router.service(ServerReflection, {
    async *serverReflectionInfo(requests) {
      const sentFiles = new Set<string>();
      for await (const request of requests) yield answer(index, request, sentFiles);
    },
  }, options);
  router.service(ServerReflectionV1alpha, {
    async *serverReflectionInfo(requests) {
      const sentFiles = new Set<string>();
      for await (const request of requests) {
        // v1alpha and v1 differ only in package name, so their wire forms are identical and one
        // implementation serves both.
        const wire = toBinary(ServerReflectionRequestSchemaV1alpha, request);
        const response = answer(index, fromBinary(ServerReflectionRequestSchema, wire), sentFiles);
        yield fromBinary(ServerReflectionResponseSchemaV1alpha, toBinary(ServerReflectionResponseSchema, response));
      }
    },
  }, options);
}

function buildIndex(services: readonly DescService[]): ReflectionIndex {
  const files = new Map<string, DescFile>();
  const addFile = (file: DescFile): void => {
    if (files.has(file.proto.name)) return;
    files.set(file.proto.name, file);
    file.dependencies.forEach(addFile);
  };
  for (const service of services) addFile(service.file);

  // Walking the raw descriptors rather than protobuf-es's Desc* objects also finds map entry
  // messages, which protobuf-es does not expose but which are symbols all the same.
  const symbols = new Map<string, DescFile>();
  const extensions = new Map<string, Map<number, DescFile>>();
  const messageTypes = new Set<string>();
  for (const file of files.values()) {
    const addExtensions = (scope: string, declared: readonly FieldDescriptorProto[]): void => {
      for (const extension of declared) {
        symbols.set(qualify(scope, extension.name), file);
        // References in descriptors are fully qualified with a leading dot; clients send none.
        const extendee = extension.extendee.replace(/^\./, "");
        const numbers = extensions.get(extendee) ?? new Map<number, DescFile>();
        numbers.set(extension.number, file);
        extensions.set(extendee, numbers);
      }
    };
    const addEnums = (scope: string, declared: readonly EnumDescriptorProto[]): void => {
      for (const enumeration of declared) {
        symbols.set(qualify(scope, enumeration.name), file);
        // Enum values are scoped as siblings of their enum, not inside it (C++ scoping rules).
        for (const value of enumeration.value) symbols.set(qualify(scope, value.name), file);
      }
    };
    const addMessages = (scope: string, declared: readonly DescriptorProto[]): void => {
      for (const message of declared) {
        const name = qualify(scope, message.name);
        symbols.set(name, file);
        messageTypes.add(name);
        addMessages(name, message.nestedType);
        addEnums(name, message.enumType);
        addExtensions(name, message.extension);
      }
    };
    const { package: scope, messageType, enumType, extension, service } = file.proto;
    addMessages(scope, messageType);
    addEnums(scope, enumType);
    addExtensions(scope, extension);
    for (const declared of service) {
      const name = qualify(scope, declared.name);
      symbols.set(name, file);
      for (const method of declared.method) symbols.set(`${name}.${method.name}`, file);
    }
  }

  return {
    serviceNames: [...new Set(services.map((service) => service.typeName))],
    files,
    symbols,
    extensions,
    messageTypes,
    encoded: new Map(),
  };
}

/** Answers one request. Never throws: a failed lookup must not end the client's stream. */
function answer(
  index: ReflectionIndex,
  request: ServerReflectionRequest,
  sentFiles: Set<string>,
): ServerReflectionResponse {
  const respond = (messageResponse: NonNullable<ResponseInit["messageResponse"]>): ServerReflectionResponse =>
    create(ServerReflectionResponseSchema, { validHost: request.host, originalRequest: request, messageResponse });
  // error_code is a google.rpc.Code; Connect's Code enum uses the same numbers.
  const notFound = (message: string): ServerReflectionResponse =>
    respond({ case: "errorResponse", value: { errorCode: Code.NotFound, errorMessage: message } });
  const withDependencies = (file: DescFile | undefined, missing: string): ServerReflectionResponse => {
    if (file === undefined) return notFound(missing);
    const fileDescriptorProto = encodeWithDependencies(index, file, sentFiles);
    return respond({ case: "fileDescriptorResponse", value: { fileDescriptorProto } });
  };

  const query = request.messageRequest;
  switch (query.case) {
    case "listServices":
      return respond({
        case: "listServicesResponse",
        value: { service: index.serviceNames.map((name) => ({ name })) },
      });
    case "fileByFilename":
      return withDependencies(index.files.get(query.value), `file "${query.value}" not found`);
    case "fileContainingSymbol":
      return withDependencies(index.symbols.get(query.value), `symbol "${query.value}" not found`);
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = query.value;
      return withDependencies(
        index.extensions.get(containingType)?.get(extensionNumber),
        `extension ${extensionNumber} of "${containingType}" not found`,
      );
    }
    case "allExtensionNumbersOfType": {
      if (!index.messageTypes.has(query.value)) return notFound(`message type "${query.value}" not found`);
      const numbers = [...(index.extensions.get(query.value)?.keys() ?? [])].sort((a, b) => a - b);
      return respond({
        case: "allExtensionNumbersResponse",
        value: { baseTypeName: query.value, extensionNumber: numbers },
      });
    }
    case undefined:
      return respond({
        case: "errorResponse",
        value: { errorCode: Code.InvalidArgument, errorMessage: "message_request is not set" },
      });
  }
}

/**
 * The requested file first, then those of its transitive imports not yet sent on this stream.
 * Clients cache what they received, so repeating imports would only waste bandwidth; the requested
 * file itself is always sent, because the client asked for it by name.
 */
function encodeWithDependencies(index: ReflectionIndex, file: DescFile, sentFiles: Set<string>): Uint8Array[] {
  const out: Uint8Array[] = [];
  const visit = (current: DescFile, requested: boolean): void => {
    const name = current.proto.name;
    if (!requested && sentFiles.has(name)) return;
    sentFiles.add(name);
    out.push(encode(index, current));
    for (const dependency of current.dependencies) visit(dependency, false);
  };
  visit(file, true);
  return out;
}

function encode(index: ReflectionIndex, file: DescFile): Uint8Array {
  let bytes = index.encoded.get(file.proto.name);
  if (bytes === undefined) {
    bytes = toBinary(FileDescriptorProtoSchema, file.proto);
    index.encoded.set(file.proto.name, bytes);
  }
  return bytes;
}

function qualify(scope: string, name: string): string {
  return scope === "" ? name : `${scope}.${name}`;
}
