import { concatBytes, encodeVarint, lengthDelimited, stringField, varintField } from "./protobuf-wire.js";

/**
 * Tiny ONNX models built in code for tests of element types and graph shapes that the sklearn
 * fixtures do not cover (strings, booleans, string-keyed ZipMaps). Test support only.
 */

/** ONNX `TensorProto.DataType` numbers of the element types the tests use. */
export const ElemType = { float: 1, int32: 6, int64: 7, string: 8, bool: 9, double: 11 } as const;

function dim(value: number | string): Uint8Array {
  return lengthDelimited(1, typeof value === "number" ? varintField(1, value) : stringField(2, value));
}

function tensorType(elemType: number, shape: readonly (number | string)[]): Uint8Array {
  const shapeProto = concatBytes(shape.map(dim));
  return lengthDelimited(1, concatBytes([varintField(1, elemType), lengthDelimited(2, shapeProto)]));
}

function valueInfo(name: string, type: Uint8Array): Uint8Array {
  return concatBytes([stringField(1, name), lengthDelimited(2, type)]);
}

function opset(domain: string, version: number): Uint8Array {
  return lengthDelimited(8, concatBytes([domain === "" ? new Uint8Array(0) : stringField(1, domain), varintField(2, version)]));
}

function model(graph: Uint8Array, opsets: Uint8Array[]): Uint8Array {
  return concatBytes([varintField(1, 8), ...opsets, lengthDelimited(7, graph)]);
}

/** `y = Identity(x)` with x and y of shape [N, columns] and the given element type. */
export function identityModel(elemType: number, columns: number): Uint8Array {
  const node = concatBytes([stringField(1, "x"), stringField(2, "y"), stringField(4, "Identity")]);
  const graph = concatBytes([
    lengthDelimited(1, node),
    stringField(2, "identity"),
    lengthDelimited(11, valueInfo("x", tensorType(elemType, ["N", columns]))),
    lengthDelimited(12, valueInfo("y", tensorType(elemType, ["N", columns]))),
  ]);
  return model(graph, [opset("", 13)]);
}

/**
 * `probabilities = ZipMap(x)` over float x [N, labels.length], with string or int64 class labels,
 * as skl2onnx would emit; int64 labels are written packed to exercise both encodings.
 */
export function zipMapModel(labels: readonly string[] | readonly bigint[]): Uint8Array {
  const stringLabels = labels.every((l) => typeof l === "string");
  const attribute = stringLabels
    ? concatBytes([stringField(1, "classlabels_strings"), varintField(20, 8), ...labels.map((l) => stringField(9, l as string))])
    : concatBytes([stringField(1, "classlabels_int64s"), varintField(20, 7), lengthDelimited(8, concatBytes(labels.map((l) => encodeVarint(l as bigint))))]);
  const node = concatBytes([
    stringField(1, "x"),
    stringField(2, "probabilities"),
    stringField(3, "zipmap"),
    stringField(4, "ZipMap"),
    lengthDelimited(5, attribute),
    stringField(7, "ai.onnx.ml"),
  ]);
  // Map values are float tensors of no declared shape, as skl2onnx writes them.
  const valueType = lengthDelimited(1, varintField(1, ElemType.float));
  const mapType = lengthDelimited(5, concatBytes([varintField(1, stringLabels ? ElemType.string : ElemType.int64), lengthDelimited(2, valueType)]));
  const sequenceType = lengthDelimited(4, lengthDelimited(1, mapType));
  const graph = concatBytes([
    lengthDelimited(1, node),
    stringField(2, "zipmap"),
    lengthDelimited(11, valueInfo("x", tensorType(ElemType.float, ["N", labels.length]))),
    lengthDelimited(12, valueInfo("probabilities", sequenceType)),
  ]);
  return model(graph, [opset("", 13), opset("ai.onnx.ml", 1)]);
}

/**
 * `y = Reshape(x, shape, allowzero=1)` over float x [N, 2] and an int64 `shape` of length 2. Its
 * warm-up run fails: zeros for `shape` ask for a [0, 0] tensor holding x's 2 elements.
 */
export function reshapeModel(): Uint8Array {
  const allowZero = concatBytes([stringField(1, "allowzero"), varintField(20, 2), varintField(3, 1)]);
  const node = concatBytes([stringField(1, "x"), stringField(1, "shape"), stringField(2, "y"), stringField(4, "Reshape"), lengthDelimited(5, allowZero)]);
  const graph = concatBytes([
    lengthDelimited(1, node),
    stringField(2, "reshape"),
    lengthDelimited(11, valueInfo("x", tensorType(ElemType.float, ["N", 2]))),
    lengthDelimited(11, valueInfo("shape", tensorType(ElemType.int64, [2]))),
    lengthDelimited(12, valueInfo("y", tensorType(ElemType.float, ["A", "B"]))),
  ]);
  return model(graph, [opset("", 14)]);
}

/**
 * A model with the iris interface (`input` float [N, 4] → `y` float [N, 4]) that fails at run time
 * for inputs of 3 or more: it casts the inputs to indices into a 3-entry table. Its warm-up (zeros)
 * succeeds, so it loads; real iris rows (4.3 to 7.9) then fail — a candidate that breaks in service.
 */
export function failsOnLargeInputsModel(): Uint8Array {
  const castTo = concatBytes([stringField(1, "to"), varintField(20, 2), varintField(3, 7)]);
  const cast = concatBytes([stringField(1, "input"), stringField(2, "idx"), stringField(3, "cast"), stringField(4, "Cast"), lengthDelimited(5, castTo)]);
  const gather = concatBytes([stringField(1, "table"), stringField(1, "idx"), stringField(2, "y"), stringField(3, "gather"), stringField(4, "Gather")]);
  const table = concatBytes([varintField(1, 3), varintField(2, ElemType.float), lengthDelimited(4, new Uint8Array(Float32Array.from([0.1, 0.2, 0.3]).buffer)), stringField(8, "table")]);
  const graph = concatBytes([
    lengthDelimited(1, cast),
    lengthDelimited(1, gather),
    stringField(2, "fails"),
    lengthDelimited(5, table),
    lengthDelimited(11, valueInfo("input", tensorType(ElemType.float, ["N", 4]))),
    lengthDelimited(12, valueInfo("y", tensorType(ElemType.float, ["N", 4]))),
  ]);
  return model(graph, [opset("", 13)]);
}
