import { readFileSync } from "node:fs";
import { create } from "@bufbuild/protobuf";
import { InferTensorSchema, type InferTensor } from "@artenic/gen/artenic/inference/v1/infer_tensor_pb";
import { DataType } from "@artenic/gen/artenic/type/v1/tensor_pb";

export const fixtureNames = ["iris_logreg", "iris_random_forest", "diabetes_gbr", "digits_mlp"] as const;
export type FixtureName = (typeof fixtureNames)[number];

export interface Expected {
  readonly task: "classification" | "regression";
  readonly classes?: number[];
  readonly inputs: number[][];
  readonly outputs: { labels?: number[]; probabilities?: number[][]; values?: number[] };
}

const dir = new URL("../../../fixtures/models/", import.meta.url);

/** The absolute path of a fixture model, for processes that read it themselves. */
export function fixturePath(name: FixtureName): string {
  return new URL(`${name}.onnx`, dir).pathname;
}

export function fixtureBytes(name: FixtureName): Buffer {
  return readFileSync(new URL(`${name}.onnx`, dir));
}

export function fixtureExpected(name: FixtureName): Expected {
  return JSON.parse(readFileSync(new URL(`${name}.expected.json`, dir), "utf8")) as Expected;
}

/** A float32 input tensor of the given rows, as `input` [rows, features]. */
export function floatRows(rows: readonly (readonly number[])[], name = "input"): InferTensor {
  return create(InferTensorSchema, {
    name,
    dataType: DataType.FLOAT32,
    shape: [BigInt(rows.length), BigInt(rows[0]?.length ?? 0)],
    contents: { case: "floatValues", value: { values: rows.flat() } },
  });
}

/** One row as a float32 tensor without the batch dimension. */
export function floatRow(row: readonly number[], name = "input"): InferTensor {
  return create(InferTensorSchema, { name, dataType: DataType.FLOAT32, shape: [BigInt(row.length)], contents: { case: "floatValues", value: { values: [...row] } } });
}
