import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  GRPCInferenceService,
  ModelInferResponse_InferOutputTensorSchema,
  ModelInferResponseSchema,
  ModelMetadataResponse_TensorMetadataSchema,
  type InferTensorContents,
  type ModelInferRequest,
} from "@artenic/gen/inference/grpc_service_pb";
import type { TensorInfo } from "../../registry/index.js";
import { invalidField } from "../../platform/errors/app-error.js";
import type { ModelRouter, Route } from "../model-router.js";
import type { PredictionRecorder } from "../prediction-recorder.js";
import { newPredictionId } from "../prediction-id.js";
import { batchRows, checkInputs } from "../signature-check.js";
import { serviceNotFound } from "../inference.errors.js";
import type { InferenceMetrics } from "../../platform/metrics/metrics.js";
import type { OutputValue, ServableDataType, TensorData } from "../tensor.js";

/** Open Inference Protocol datatype names. */
const oipType: Record<string, string> = {
  float32: "FP32",
  float64: "FP64",
  int32: "INT32",
  int64: "INT64",
  bool: "BOOL",
  string: "BYTES",
  float16: "FP16",
  uint8: "UINT8",
  int8: "INT8",
  uint16: "UINT16",
  int16: "INT16",
  uint32: "UINT32",
  uint64: "UINT64",
};
const fromOip: Record<string, ServableDataType> = { FP32: "float32", FP64: "float64", INT32: "int32", INT64: "int64", BOOL: "bool", BYTES: "string" };

export interface OipHandlerDeps {
  readonly router: ModelRouter;
  readonly recorder: PredictionRecorder;
  readonly metrics: InferenceMetrics;
  /** Reported by ServerMetadata. */
  readonly serverVersion: string;
}

/** An OIP model name is an Artenic service id; the version, when given, must be the one it resolves to. */
async function routeOf(router: ModelRouter, name: string, version: string): Promise<Route> {
  if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(name)) throw serviceNotFound(`services/${name}`);
  const route = await router.route(name);
  if (version !== "" && version !== String(route.versionNumber)) {
    throw invalidField("model_version", `service ${name} serves version ${route.versionNumber}, not ${version}`);
  }
  return route;
}

function tensorMeta(t: TensorInfo) {
  return create(ModelMetadataResponse_TensorMetadataSchema, { name: t.name, datatype: oipType[t.dataType] ?? "BYTES", shape: t.shape.map(BigInt) });
}

function decodeInput(req: ModelInferRequest, i: number): TensorData {
  const t = req.inputs[i]!;
  const field = `inputs[${i}]`;
  const dataType = fromOip[t.datatype];
  if (!dataType) throw invalidField(`${field}.datatype`, `${t.datatype} is not supported; use FP32, FP64, INT32, INT64, BOOL or BYTES`);
  const shape = t.shape.map(Number);
  const raw = req.rawInputContents[i];
  let data: TensorData["data"];
  if (raw !== undefined) {
    const width = { float32: 4, float64: 8, int32: 4, int64: 8, bool: 1, string: 1 }[dataType];
    if (raw.byteLength % width !== 0) throw invalidField(`raw_input_contents[${i}]`, `holds ${raw.byteLength} bytes, not a multiple of ${width} for ${t.datatype}`);
    const bytes = new Uint8Array(raw.byteLength);
    bytes.set(raw);
    switch (dataType) {
      case "string": {
        // BYTES in raw form: each element is a 4-byte little-endian length, then the bytes.
        const view = new DataView(bytes.buffer);
        const out: string[] = [];
        const decoder = new TextDecoder();
        for (let off = 0; off < bytes.length; ) {
          if (off + 4 > bytes.length) throw invalidField(`raw_input_contents[${i}]`, "ends inside a BYTES length prefix");
          const n = view.getUint32(off, true);
          off += 4;
          if (off + n > bytes.length) throw invalidField(`raw_input_contents[${i}]`, "a BYTES element runs past the end");
          out.push(decoder.decode(bytes.subarray(off, off + n)));
          off += n;
        }
        data = out;
        break;
      }
      case "float32":
        data = new Float32Array(bytes.buffer, 0, Math.floor(bytes.length / 4));
        break;
      case "float64":
        data = new Float64Array(bytes.buffer, 0, Math.floor(bytes.length / 8));
        break;
      case "int32":
        data = new Int32Array(bytes.buffer, 0, Math.floor(bytes.length / 4));
        break;
      case "int64":
        data = new BigInt64Array(bytes.buffer, 0, Math.floor(bytes.length / 8));
        break;
      case "bool":
        data = bytes;
        break;
    }
  } else {
    const c: InferTensorContents | undefined = t.contents;
    if (!c) throw invalidField(`${field}.contents`, "is required unless raw_input_contents is used");
    switch (dataType) {
      case "float32":
        data = Float32Array.from(c.fp32Contents);
        break;
      case "float64":
        data = Float64Array.from(c.fp64Contents);
        break;
      case "int32":
        data = Int32Array.from(c.intContents);
        break;
      case "int64":
        data = BigInt64Array.from(c.int64Contents);
        break;
      case "bool":
        data = Uint8Array.from(c.boolContents, (b) => (b ? 1 : 0));
        break;
      case "string":
        data = c.bytesContents.map((b) => new TextDecoder().decode(b));
        break;
    }
  }
  return { name: t.name, dataType, shape, data } as TensorData;
}

/** Raw little-endian bytes of a tensor, as OIP's raw_output_contents carries them. */
function rawOf(t: TensorData): Uint8Array {
  if (t.dataType === "string") {
    const enc = new TextEncoder();
    const parts = t.data.map((s) => enc.encode(s));
    const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
    const view = new DataView(out.buffer);
    let off = 0;
    for (const p of parts) {
      view.setUint32(off, p.length, true);
      out.set(p, off + 4);
      off += 4 + p.length;
    }
    return out;
  }
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** Probability maps as a dense FP32 [rows, classes] tensor, classes in ascending key order. */
function densify(o: Extract<OutputValue, { kind: "sequence_of_maps" }>): TensorData {
  const keys = [...(o.maps[0]?.keys() ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const data = new Float32Array(o.maps.length * keys.length);
  o.maps.forEach((m, r) => keys.forEach((k, c) => (data[r * keys.length + c] = m.get(k) ?? 0)));
  return { name: o.name, dataType: "float32", shape: [o.maps.length, keys.length], data };
}

/**
 * KServe's Open Inference Protocol v2 (`inference.GRPCInferenceService`) on the platform's port, so
 * stock Triton and KServe clients work: the model name is a service id. Classifier probability maps
 * come back as dense FP32 [rows, classes] tensors. Outputs always travel as raw_output_contents, as
 * Triton answers.
 */
export function createOipServiceHandler(deps: OipHandlerDeps): Partial<ServiceImpl<typeof GRPCInferenceService>> {
  return {
    serverLive() {
      return { live: true };
    },
    serverReady() {
      return { ready: true };
    },
    async modelReady(req) {
      try {
        const route = await routeOf(deps.router, req.name, req.version);
        await route.load();
        return { ready: true };
      } catch {
        return { ready: false };
      }
    },
    serverMetadata() {
      return { name: "artenic", version: deps.serverVersion, extensions: [] };
    },
    async modelMetadata(req) {
      const route = await routeOf(deps.router, req.name, req.version);
      return {
        name: req.name,
        versions: [String(route.versionNumber)],
        platform: "onnxruntime_onnx",
        inputs: route.signature.inputs.map(tensorMeta),
        outputs: route.signature.outputs.map(tensorMeta),
      };
    },
    async modelInfer(req) {
      const started = performance.now();
      const route = await routeOf(deps.router, req.modelName, req.modelVersion);
      let rows = 0;
      try {
        if (req.rawInputContents.length > 0 && req.rawInputContents.length !== req.inputs.length) {
          throw invalidField("raw_input_contents", `has ${req.rawInputContents.length} entries for ${req.inputs.length} inputs`);
        }
        const inputs = req.inputs.map((_, i) => decodeInput(req, i));
        checkInputs(inputs, route.signature, "inputs", true);
        rows = batchRows(inputs, "inputs");
        const wanted = req.outputs.map((o) => o.name);
        for (const w of wanted) {
          if (!route.signature.outputs.some((o) => o.name === w)) throw invalidField("outputs", `the model has no output "${w}"`);
        }
        const outputs = await route.run(inputs, rows);
        deps.router.markServing(route.serviceId, route.modelVersion);
        const tensors: TensorData[] = [];
        for (const [name, o] of Object.entries(outputs)) {
          if (wanted.length > 0 && !wanted.includes(name)) continue;
          tensors.push(o.kind === "tensor" ? o.tensor : densify(o));
        }
        const id = newPredictionId(route.serviceId, route.modelVersion, Date.now());
        const latency = performance.now() - started;
        deps.recorder.record({ time: Date.now(), serviceId: route.serviceId, modelVersion: route.modelVersion, predictionId: id, rows, latencyMs: latency, error: "", confidence: NaN, features: [], outputs: [] });
        deps.metrics.observePrediction(route.serviceId, route.modelVersion, latency / 1000, rows, "ok");
        return create(ModelInferResponseSchema, {
          modelName: req.modelName,
          modelVersion: String(route.versionNumber),
          id: req.id,
          outputs: tensors.map((t) => create(ModelInferResponse_InferOutputTensorSchema, { name: t.name, datatype: oipType[t.dataType]!, shape: t.shape.map(BigInt) })),
          rawOutputContents: tensors.map(rawOf),
        });
      } catch (e) {
        deps.metrics.observePrediction(route.serviceId, route.modelVersion, (performance.now() - started) / 1000, rows, "error");
        throw e;
      }
    },
  };
}
