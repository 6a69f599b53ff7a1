#!/usr/bin/env python3
"""Calls an Open Inference Protocol v2 (KServe / Triton) gRPC endpoint with NVIDIA's stock client,
tritonclient.grpc.InferenceServerClient, and prints everything it got as one JSON object on stdout.

Usage: oip_client.py [--timeout S] [--model-version V] [--ssl [--root-certs PEM]] HOST:PORT MODEL INPUT.json

INPUT.json:
    {"inputs": [{"name": "input", "datatype": "FP32", "shape": [2, 4], "data": [...]}, ...],
     "outputs": ["label", "probabilities"]}          (optional; absent = whatever the server returns)
"data" is flat (row-major) or nested; "shape" may be left out for nested data. BYTES data are strings.

Calls, in order: ServerLive, ServerReady, ModelReady, ServerMetadata, ModelMetadata, then ModelInfer
twice: "typed" sends each input in InferInputTensor.contents (fp32_contents, int64_contents, ...),
"raw" sends it as little-endian bytes in ModelInferRequest.raw_input_contents (set_data_from_numpy,
which is how the gRPC client always sends data; it has no binary_data switch, unlike the HTTP one).

With ARTENIC_API_KEY set, every call carries the header `authorization: Bearer <key>`.

Exit 0 on success. On failure: exit 1 for an RPC error, 2 for a usage or input error; stderr gets one
line `oip_client: <step> failed: <gRPC status code name>: <message>`, and stdout still gets the JSON
object with what was gathered before the failure plus "error": {"step", "code", "message"}.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from typing import Any

import numpy as np
import tritonclient.grpc as grpcclient
from tritonclient.utils import InferenceServerException, deserialize_bytes_tensor, triton_to_np_dtype

# The typed field of InferTensorContents for each datatype (FP16 and BF16 have none: raw only).
CONTENTS_FIELD = {
    "BOOL": "bool_contents",
    "INT8": "int_contents",
    "INT16": "int_contents",
    "INT32": "int_contents",
    "INT64": "int64_contents",
    "UINT8": "uint_contents",
    "UINT16": "uint_contents",
    "UINT32": "uint_contents",
    "UINT64": "uint64_contents",
    "FP32": "fp32_contents",
    "FP64": "fp64_contents",
    "BYTES": "bytes_contents",
}


class Failure(Exception):
    def __init__(self, step: str, code: str, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.step, self.code, self.message, self.exit_code = step, code, message, exit_code


def status_name(error: InferenceServerException) -> str:
    """'StatusCode.UNAVAILABLE' (what tritonclient keeps) -> 'UNAVAILABLE'."""
    status = error.status()
    return str(status).rsplit(".", 1)[-1] if status else "UNKNOWN"


def json_value(v: Any) -> Any:
    """A scalar as JSON can carry it: bytes as text, non-finite floats as protobuf's JSON spellings."""
    if isinstance(v, bytes):
        try:
            return v.decode("utf-8")
        except UnicodeDecodeError:
            return {"hex": v.hex()}
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    return v


def parameters_dict(parameters: Any) -> dict[str, Any]:
    out = {}
    for key in sorted(parameters):
        p = parameters[key]
        which = p.WhichOneof("parameter_choice")
        out[key] = getattr(p, which) if which else None
    return out


def tensor_metadata(tensors: Any) -> list[dict[str, Any]]:
    return [{"name": t.name, "datatype": t.datatype, "shape": [int(d) for d in t.shape]} for t in tensors]


def load_request(path: str) -> tuple[list[dict[str, Any]], list[str] | None]:
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    if isinstance(spec, list):
        spec = {"inputs": spec}
    inputs = spec.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise ValueError('"inputs" must be a non-empty list of {name, datatype, shape, data}')
    prepared = []
    for i, item in enumerate(inputs):
        for key in ("name", "datatype", "data"):
            if key not in item:
                raise ValueError(f"inputs[{i}] has no {key!r}")
        datatype = str(item["datatype"]).upper()
        if datatype == "BYTES":
            array = np.array([s.encode("utf-8") if isinstance(s, str) else bytes(s)
                              for s in np.array(item["data"], dtype=object).reshape(-1)], dtype=np.object_)
        else:
            array = np.array(item["data"], dtype=triton_to_np_dtype(datatype))
        shape = [int(d) for d in item.get("shape", np.shape(item["data"]))]
        if int(np.prod(shape)) != array.size:
            raise ValueError(f"inputs[{i}] ({item['name']}): shape {shape} holds {int(np.prod(shape))} "
                             f"elements but data has {array.size}")
        prepared.append({"name": str(item["name"]), "datatype": datatype, "shape": shape,
                         "array": array.reshape(shape)})
    outputs = spec.get("outputs")
    if outputs is not None:
        outputs = [o["name"] if isinstance(o, dict) else str(o) for o in outputs]
    return prepared, outputs


def build_inputs(prepared: list[dict[str, Any]], raw: bool) -> list[grpcclient.InferInput]:
    inputs = []
    for p in prepared:
        infer_input = grpcclient.InferInput(p["name"], p["shape"], p["datatype"])
        if raw:
            # Fills raw_input_contents with the tensor's little-endian bytes (BYTES: length-prefixed).
            infer_input.set_data_from_numpy(p["array"])
        else:
            field = CONTENTS_FIELD.get(p["datatype"])
            if field is None:
                raise ValueError(f"{p['name']}: datatype {p['datatype']} has no typed contents field; "
                                 "only raw_input_contents can carry it")
            # The client's public API only sends raw bytes, so the typed call fills the
            # InferInputTensor message that infer() sends (tritonclient is pinned).
            getattr(infer_input._get_tensor().contents, field).extend(p["array"].reshape(-1).tolist())
        inputs.append(infer_input)
    return inputs


def decode_response(response: Any) -> dict[str, Any]:
    """A ModelInferResponse as JSON, outputs read from raw_output_contents or typed contents."""
    raw = response.raw_output_contents
    outputs = {}
    for index, output in enumerate(response.outputs):
        shape = [int(d) for d in output.shape]
        if index < len(raw):
            encoding = "raw"
            if output.datatype == "BYTES":
                values = deserialize_bytes_tensor(raw[index])
            else:
                values = np.frombuffer(raw[index], dtype=triton_to_np_dtype(output.datatype))
            data = [json_value(v) for v in values.reshape(-1).tolist()]
        else:
            encoding = "typed"
            field = CONTENTS_FIELD.get(output.datatype)
            if field is None:
                raise ValueError(f"output {output.name}: datatype {output.datatype} without raw contents")
            data = [json_value(v) for v in getattr(output.contents, field)]
        expected = int(np.prod(shape)) if shape else 1
        if len(data) != expected:
            raise ValueError(f"output {output.name}: shape {shape} holds {expected} elements, got {len(data)}")
        outputs[output.name] = {"datatype": output.datatype, "shape": shape, "data": data, "encoding": encoding}
    return {
        "model_name": response.model_name,
        "model_version": response.model_version,
        "id": response.id,
        "parameters": parameters_dict(response.parameters),
        "outputs": outputs,
    }


def run(args: argparse.Namespace, result: dict[str, Any]) -> None:
    try:
        prepared, requested = load_request(args.input)
    except (OSError, ValueError, TypeError, KeyError, json.JSONDecodeError) as e:
        raise Failure("read input", "INVALID_INPUT_FILE", f"{args.input}: {e}", 2) from None
    key = os.environ.get("ARTENIC_API_KEY")
    headers = {"authorization": f"Bearer {key}"} if key else None
    result["authorization"] = bool(headers)

    step = "connect"
    try:
        client = grpcclient.InferenceServerClient(
            url=args.url, ssl=args.ssl, root_certificates=args.root_certs)
        common = {"headers": headers, "client_timeout": args.timeout}
        version = args.model_version
        step = "ServerLive"
        result["server_live"] = client.is_server_live(**common)
        step = "ServerReady"
        result["server_ready"] = client.is_server_ready(**common)
        step = "ModelReady"
        result["model_ready"] = client.is_model_ready(args.model, version, **common)
        step = "ServerMetadata"
        meta = client.get_server_metadata(**common)
        result["server_metadata"] = {"name": meta.name, "version": meta.version,
                                     "extensions": list(meta.extensions)}
        step = "ModelMetadata"
        meta = client.get_model_metadata(args.model, version, **common)
        result["model_metadata"] = {"name": meta.name, "versions": list(meta.versions), "platform": meta.platform,
                                    "inputs": tensor_metadata(meta.inputs),
                                    "outputs": tensor_metadata(meta.outputs)}
        result["infer"] = {}
        for mode in ("typed", "raw"):
            step = f"ModelInfer ({mode})"
            try:
                inputs = build_inputs(prepared, raw=mode == "raw")
            except (ValueError, TypeError, InferenceServerException) as e:
                message = e.message() if isinstance(e, InferenceServerException) else str(e)
                raise Failure(step, "INVALID_INPUT_FILE", message, 2) from None
            outputs = [grpcclient.InferRequestedOutput(name) for name in requested] if requested is not None else None
            answer = client.infer(args.model, inputs, model_version=version, outputs=outputs,
                                  request_id=f"oip-client-{mode}", **common)
            try:
                result["infer"][mode] = decode_response(answer.get_response())
            except ValueError as e:
                raise Failure(step, "BAD_RESPONSE", str(e), 1) from None
        client.close()
    except InferenceServerException as e:
        raise Failure(step, status_name(e), e.message() or str(e), 1) from None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="host:port of the gRPC endpoint")
    parser.add_argument("model", help="OIP model name (an Artenic service name)")
    parser.add_argument("input", help="JSON file with the inputs (and optionally the outputs) to send")
    parser.add_argument("--model-version", default="", help="model version (default: the server's choice)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-call deadline in seconds (default 30)")
    parser.add_argument("--ssl", action="store_true", help="connect with TLS")
    parser.add_argument("--root-certs", help="PEM file of the CA to trust with --ssl")
    args = parser.parse_args()
    result: dict[str, Any] = {"url": args.url, "model": args.model, "model_version": args.model_version}
    try:
        run(args, result)
    except Failure as f:
        result["error"] = {"step": f.step, "code": f.code, "message": f.message}
        print(json.dumps(result))
        print(f"oip_client: {f.step} failed: {f.code}: {f.message}", file=sys.stderr)
        return f.exit_code
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
