import { fromBinary } from "@bufbuild/protobuf";
import {
  ModelProtoSchema,
  type ModelProto,
  TensorProto_DataType,
  type TensorShapeProto,
  type TypeProto,
  type ValueInfoProto,
} from "@artenic/gen/onnx/onnx_pb";
import { invalidField } from "../platform/errors/app-error.js";

/** Element types the platform can name; every other ONNX element type reads as "unspecified". */
export type DataTypeName =
  | "float32"
  | "float64"
  | "int32"
  | "int64"
  | "bool"
  | "string"
  | "float16"
  | "uint8"
  | "int8"
  | "uint16"
  | "int16"
  | "uint32"
  | "uint64"
  | "unspecified";

/** What a graph input or output carries, as far as a caller of the model needs to know. */
export type TensorKind = "tensor" | "sequence_of_maps" | "map" | "sequence";

/** One graph input or output of an ONNX model. */
export interface TensorInfo {
  readonly name: string;
  /** The element type of a tensor; for maps and sequences, that of the innermost values. */
  readonly dataType: DataTypeName;
  /**
   * One entry per dimension, -1 where the size is symbolic or unknown. ONNX types no length for
   * maps and sequences, so theirs is empty; see `unknownRank` to tell a scalar from an unknown rank.
   */
  readonly shape: number[];
  /** The symbolic name of each dimension (e.g. "batch"), "" where there is none. */
  readonly dimNames: string[];
  readonly kind: TensorKind;
  /** The key type of a map, or of the maps in a sequence (skl2onnx's ZipMap output). */
  readonly keyType?: DataTypeName;
  /** Set on tensors whose rank the model leaves open, whose empty `shape` must not read as scalar. */
  readonly unknownRank?: true;
}

/** The interface of an ONNX model: what to feed it, what it returns, and what runtime it needs. */
export interface ModelSignatureInfo {
  readonly inputs: TensorInfo[];
  readonly outputs: TensorInfo[];
  readonly irVersion: number;
  /** Operator set version per domain; the default domain, which ONNX also spells "ai.onnx", is "". */
  readonly opsetVersions: Record<string, number>;
  readonly producerName: string;
  readonly producerVersion: string;
}

const DATA_TYPE_NAMES: ReadonlyMap<number, DataTypeName> = new Map([
  [TensorProto_DataType.FLOAT, "float32"],
  [TensorProto_DataType.DOUBLE, "float64"],
  [TensorProto_DataType.INT32, "int32"],
  [TensorProto_DataType.INT64, "int64"],
  [TensorProto_DataType.BOOL, "bool"],
  [TensorProto_DataType.STRING, "string"],
  [TensorProto_DataType.FLOAT16, "float16"],
  [TensorProto_DataType.UINT8, "uint8"],
  [TensorProto_DataType.INT8, "int8"],
  [TensorProto_DataType.UINT16, "uint16"],
  [TensorProto_DataType.INT16, "int16"],
  [TensorProto_DataType.UINT32, "uint32"],
  [TensorProto_DataType.UINT64, "uint64"],
]);

const REASON = "INVALID_ONNX_MODEL";
const FIELD = "artifact";

/** The platform's name for an ONNX `TensorProto.DataType` number. */
export function dataTypeName(elemType: number): DataTypeName {
  return DATA_TYPE_NAMES.get(elemType) ?? "unspecified";
}

/**
 * A cheap sniff for telling an ONNX file from other artifact formats without decoding it. Every
 * protobuf serializer writes fields in number order and ModelProto's first field is the required
 * `ir_version`, so a model starts with that field's tag (0x08) and a small varint. Only
 * `readOnnxSignature` validates.
 */
export function looksLikeOnnx(bytes: Uint8Array): boolean {
  const first = bytes[0];
  const version = bytes[1];
  return first === 0x08 && version !== undefined && version > 0 && version < 0x80;
}

/**
 * Reads the inputs, outputs, IR version, opsets and producer of a serialized ONNX model without
 * decoding its weights or nodes. Throws an INVALID_ONNX_MODEL `invalid_argument` error on the
 * `artifact` field when the bytes are not a usable ONNX model.
 */
export function readOnnxSignature(bytes: Uint8Array): ModelSignatureInfo {
  if (bytes.length === 0) {
    throw invalid("the file is empty");
  }
  const model = decode(bytes);
  // Random bytes can decode as a protobuf message of skipped fields, so decoding proves little;
  // the fields every ONNX model must have are what tell a model from noise.
  if (model.irVersion <= 0n) {
    throw invalid("the model declares no ONNX IR version");
  }
  const graph = model.graph;
  if (graph === undefined) {
    throw invalid("the model has no graph");
  }
  if (model.opsetImport.length === 0) {
    throw invalid("the model imports no operator set");
  }
  // Before IR version 4 the initializers (weights) had to be listed among the graph inputs too;
  // they are not inputs a caller feeds.
  const initializers = new Set(graph.initializer.map((tensor) => tensor.name));
  const inputs = graph.input.filter((value) => !initializers.has(value.name)).map(valueInfo);
  if (inputs.length === 0) {
    throw invalid("the model's graph has no inputs");
  }
  const outputs = graph.output.map(valueInfo);
  if (outputs.length === 0) {
    throw invalid("the model's graph has no outputs");
  }
  const opsetVersions: Record<string, number> = {};
  for (const opset of model.opsetImport) {
    opsetVersions[opset.domain === "ai.onnx" ? "" : opset.domain] = Number(opset.version);
  }
  return {
    inputs,
    outputs,
    irVersion: Number(model.irVersion),
    opsetVersions,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
  };
}

function decode(bytes: Uint8Array): ModelProto {
  try {
    // Unknown fields are the nodes and weights the restated schema leaves out; keeping them would
    // copy the whole model into memory a second time.
    return fromBinary(ModelProtoSchema, bytes, { readUnknownFields: false });
  } catch {
    // The decoder's own message ("premature EOF", wire types) means nothing to whoever uploaded it.
    throw invalid("the file does not decode as an ONNX model; it may be truncated or in another format");
  }
}

function valueInfo(value: ValueInfoProto): TensorInfo {
  if (value.name === "") {
    throw invalid("a graph input or output has no name");
  }
  let type = value.type;
  // An optional value is fed or returned like the value it wraps, when present.
  while (type?.value.case === "optionalType") {
    type = type.value.value.elemType;
  }
  const what = type?.value;
  switch (what?.case) {
    case "tensorType": {
      const elemType = what.value.elemType;
      return { name: value.name, kind: "tensor", dataType: dataTypeName(elemType), ...dims(what.value.shape) };
    }
    case "mapType": {
      const map = what.value;
      return mapInfo(value.name, "map", map.keyType, map.valueType);
    }
    case "sequenceType": {
      const elem = what.value.elemType;
      if (elem?.value.case === "mapType") {
        return mapInfo(value.name, "sequence_of_maps", elem.value.value.keyType, elem.value.value.valueType);
      }
      return { name: value.name, kind: "sequence", dataType: innermostDataType(elem), shape: [], dimNames: [] };
    }
    case "sparseTensorType":
      throw invalid(`"${value.name}" is a sparse tensor, which the platform cannot serve`);
    default:
      throw invalid(`"${value.name}" has no supported type`);
  }
}

function mapInfo(name: string, kind: TensorKind, keyType: number, valueType: TypeProto | undefined): TensorInfo {
  return { name, kind, dataType: innermostDataType(valueType), keyType: dataTypeName(keyType), shape: [], dimNames: [] };
}

function innermostDataType(type: TypeProto | undefined): DataTypeName {
  for (let t = type; t !== undefined; ) {
    switch (t.value.case) {
      case "tensorType":
      case "sparseTensorType":
        return dataTypeName(t.value.value.elemType);
      case "sequenceType":
      case "optionalType":
        t = t.value.value.elemType;
        break;
      case "mapType":
        t = t.value.value.valueType;
        break;
      default:
        return "unspecified";
    }
  }
  return "unspecified";
}

function dims(shape: TensorShapeProto | undefined): Pick<TensorInfo, "shape" | "dimNames" | "unknownRank"> {
  if (shape === undefined) {
    return { shape: [], dimNames: [], unknownRank: true };
  }
  return {
    shape: shape.dim.map((d) => (d.value.case === "dimValue" && d.value.value >= 0n ? Number(d.value.value) : -1)),
    dimNames: shape.dim.map((d) => (d.value.case === "dimParam" ? d.value.value : "")),
  };
}

function invalid(description: string) {
  return invalidField(FIELD, description, REASON);
}
