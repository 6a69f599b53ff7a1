import {
  WireType,
  concatBytes,
  fieldString,
  lengthDelimited,
  readFields,
  readVarint,
  stringField,
  varintField,
  type WireField,
} from "./protobuf-wire.js";

/**
 * A graph output that skl2onnx's ZipMap turned into a sequence of maps, and that the rewritten model
 * returns as the float tensor [rows, classes] it was zipped from.
 */
export interface UnzippedOutput {
  /** The graph output's name, unchanged by the rewrite. */
  readonly name: string;
  /** The class label of each column, in column order: the keys of every row's map. */
  readonly keys: readonly bigint[] | readonly string[];
}

/** The model to hand to ONNX Runtime, and which of its outputs must be zipped back into maps. */
export interface UnzipResult {
  readonly bytes: Uint8Array;
  readonly unzipped: readonly UnzippedOutput[];
}

// Field numbers of onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, ValueInfoProto,
// TypeProto and TensorShapeProto).
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_OUTPUT = 12;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_NAME = 3;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const NODE_DOMAIN = 7;
const ATTRIBUTE_NAME = 1;
const ATTRIBUTE_INTS = 8;
const ATTRIBUTE_STRINGS = 9;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_ELEM_TYPE = 1;
const TENSOR_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const ELEM_TYPE_FLOAT = 1;

interface ParsedNode {
  readonly field: WireField;
  readonly inputs: string[];
  readonly outputs: string[];
  readonly name: string | undefined;
  readonly opType: string;
  readonly domain: string;
  readonly attributes: WireField[];
}

interface ZipMapNode {
  readonly node: ParsedNode;
  readonly keys: readonly bigint[] | readonly string[];
}

/**
 * Replaces every ZipMap node that feeds a graph output with an Identity, and retypes that output
 * as the float tensor [rows, classes] the node was zipping.
 *
 * onnxruntime-node cannot return non-tensor values: fetching a ZipMap output fails with "Non tensor
 * type is temporarily not supported". skl2onnx classifiers emit one by default, so without this
 * rewrite their probabilities could not be served at all. The class labels are read from the
 * node's `classlabels_int64s` / `classlabels_strings` so the caller can rebuild the maps.
 *
 * Every other byte of the model is copied unchanged. Bytes that do not parse as a model with one
 * graph, and ZipMaps whose output is also consumed inside the graph, are left alone: ONNX Runtime
 * then reports the problem itself.
 */
export function unzipMapOutputs(bytes: Uint8Array): UnzipResult {
  const unchanged: UnzipResult = { bytes, unzipped: [] };
  let modelFields: WireField[];
  try {
    modelFields = readFields(bytes);
  } catch {
    return unchanged;
  }
  const graphs = modelFields.filter((f) => f.field === MODEL_GRAPH && f.wireType === WireType.lengthDelimited);
  // A repeated `graph` field would be merged by the parser; too unusual to be worth editing.
  const graph = graphs.length === 1 ? graphs[0] : undefined;
  if (graph === undefined) {
    return unchanged;
  }
  let graphFields: WireField[];
  let nodes: ParsedNode[];
  try {
    graphFields = readFields(bytes, graph.valueStart, graph.valueEnd);
    nodes = graphFields.filter((f) => f.field === GRAPH_NODE && f.wireType === WireType.lengthDelimited).map((f) => parseNode(bytes, f));
  } catch {
    return unchanged;
  }
  const outputs = new Map<string, WireField>();
  for (const f of graphFields) {
    if (f.field === GRAPH_OUTPUT && f.wireType === WireType.lengthDelimited) {
      const name = valueInfoName(bytes, f);
      if (name !== undefined) outputs.set(name, f);
    }
  }
  const consumed = new Set<string>();
  for (const n of nodes) for (const input of n.inputs) consumed.add(input);

  const zipMaps = new Map<WireField, ZipMapNode>();
  const retyped = new Map<WireField, Uint8Array>();
  for (const node of nodes) {
    const output = node.outputs[0];
    const input = node.inputs[0];
    if (
      node.opType !== "ZipMap" ||
      node.domain !== "ai.onnx.ml" ||
      node.inputs.length !== 1 ||
      node.outputs.length !== 1 ||
      output === undefined ||
      input === undefined ||
      consumed.has(output)
    ) {
      continue;
    }
    const outputInfo = outputs.get(output);
    const keys = classLabels(bytes, node.attributes);
    if (outputInfo === undefined || keys === undefined) {
      continue;
    }
    zipMaps.set(node.field, { node, keys });
    retyped.set(outputInfo, floatMatrixValueInfo(output, keys.length));
  }
  if (zipMaps.size === 0) {
    return unchanged;
  }

  const graphChunks: Uint8Array[] = [];
  for (const f of graphFields) {
    const zipMap = zipMaps.get(f);
    const info = retyped.get(f);
    if (zipMap !== undefined) {
      graphChunks.push(lengthDelimited(GRAPH_NODE, identityNode(zipMap.node)));
    } else if (info !== undefined) {
      graphChunks.push(lengthDelimited(GRAPH_OUTPUT, info));
    } else {
      graphChunks.push(bytes.subarray(f.start, f.end));
    }
  }
  const modelChunks: Uint8Array[] = [];
  for (const f of modelFields) {
    modelChunks.push(f === graph ? lengthDelimited(MODEL_GRAPH, concatBytes(graphChunks)) : bytes.subarray(f.start, f.end));
  }
  return {
    bytes: concatBytes(modelChunks),
    unzipped: [...zipMaps.values()].map((z) => ({ name: z.node.outputs[0] ?? "", keys: z.keys })),
  };
}

function parseNode(bytes: Uint8Array, field: WireField): ParsedNode {
  const inputs: string[] = [];
  const outputs: string[] = [];
  const attributes: WireField[] = [];
  let name: string | undefined;
  let opType = "";
  let domain = "";
  for (const f of readFields(bytes, field.valueStart, field.valueEnd)) {
    if (f.wireType !== WireType.lengthDelimited) continue;
    switch (f.field) {
      case NODE_INPUT:
        inputs.push(fieldString(bytes, f));
        break;
      case NODE_OUTPUT:
        outputs.push(fieldString(bytes, f));
        break;
      case NODE_NAME:
        name = fieldString(bytes, f);
        break;
      case NODE_OP_TYPE:
        opType = fieldString(bytes, f);
        break;
      case NODE_DOMAIN:
        domain = fieldString(bytes, f);
        break;
      case NODE_ATTRIBUTE:
        attributes.push(f);
        break;
    }
  }
  return { field, inputs, outputs, name, opType, domain, attributes };
}

function valueInfoName(bytes: Uint8Array, field: WireField): string | undefined {
  const name = readFields(bytes, field.valueStart, field.valueEnd).find((f) => f.field === VALUE_INFO_NAME && f.wireType === WireType.lengthDelimited);
  return name === undefined ? undefined : fieldString(bytes, name);
}

function classLabels(bytes: Uint8Array, attributes: readonly WireField[]): readonly bigint[] | readonly string[] | undefined {
  for (const attribute of attributes) {
    const fields = readFields(bytes, attribute.valueStart, attribute.valueEnd);
    const nameField = fields.find((f) => f.field === ATTRIBUTE_NAME && f.wireType === WireType.lengthDelimited);
    const name = nameField === undefined ? "" : fieldString(bytes, nameField);
    if (name === "classlabels_int64s") {
      const ints: bigint[] = [];
      for (const f of fields) {
        if (f.field !== ATTRIBUTE_INTS) continue;
        if (f.wireType === WireType.varint) {
          ints.push(BigInt.asIntN(64, readVarint(bytes, f.valueStart).value));
        } else if (f.wireType === WireType.lengthDelimited) {
          // proto2 leaves `repeated int64` unpacked, but a writer may still pack it.
          for (let i = f.valueStart; i < f.valueEnd; ) {
            const v = readVarint(bytes, i);
            ints.push(BigInt.asIntN(64, v.value));
            i = v.next;
          }
        }
      }
      return ints;
    }
    if (name === "classlabels_strings") {
      return fields.filter((f) => f.field === ATTRIBUTE_STRINGS && f.wireType === WireType.lengthDelimited).map((f) => fieldString(bytes, f));
    }
  }
  return undefined;
}

function identityNode(node: ParsedNode): Uint8Array {
  const chunks = [stringField(NODE_INPUT, node.inputs[0] ?? ""), stringField(NODE_OUTPUT, node.outputs[0] ?? "")];
  if (node.name !== undefined) chunks.push(stringField(NODE_NAME, node.name));
  // The default domain's Identity exists in every opset, so the model's opset imports still hold.
  chunks.push(stringField(NODE_OP_TYPE, "Identity"));
  return concatBytes(chunks);
}

function floatMatrixValueInfo(name: string, columns: number): Uint8Array {
  // The batch dimension is an empty Dimension message: unknown, like skl2onnx's own dynamic batch.
  const shape = concatBytes([lengthDelimited(SHAPE_DIM, new Uint8Array(0)), lengthDelimited(SHAPE_DIM, varintField(DIM_VALUE, columns))]);
  const tensor = concatBytes([varintField(TENSOR_ELEM_TYPE, ELEM_TYPE_FLOAT), lengthDelimited(TENSOR_SHAPE, shape)]);
  return concatBytes([stringField(VALUE_INFO_NAME, name), lengthDelimited(VALUE_INFO_TYPE, lengthDelimited(TYPE_TENSOR, tensor))]);
}
