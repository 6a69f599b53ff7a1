import type { MessageInitShape } from "@bufbuild/protobuf";
import type { InferTensorSchema } from "@artenic/gen/artenic/inference/v1/infer_tensor_pb";
import type { PredictRowInit } from "@artenic/sdk";
import { DataType, type TensorSpec } from "@artenic/gen/artenic/type/v1/tensor_pb";
import { UsageError } from "./format.js";

/** A row as read from a file: one value (a scalar or a flat list) per input name. */
export type RawRow = Record<string, unknown>;

/**
 * Parses CSV text into rows. The first line is a header when any of its cells is not a number.
 * Without a header, or when the header does not name the model's inputs, every column goes into
 * `defaultInput` as one list; when it names them, each column feeds its input.
 */
export function parseCsv(text: string, inputs: readonly TensorSpec[], defaultInput: string): RawRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new UsageError("the CSV file has no rows");
  const cells = lines.map(splitCsvLine);
  const first = cells[0]!;
  const hasHeader = first.some((c) => c.trim() !== "" && Number.isNaN(Number(c)));
  const header = hasHeader ? first.map((h) => h.trim()) : undefined;
  const body = hasHeader ? cells.slice(1) : cells;
  const names = new Set(inputs.map((i) => i.name));
  const byColumn = header !== undefined && header.every((h) => names.has(h));
  return body.map((row, r) => {
    if (header && row.length !== header.length) throw new UsageError(`CSV line ${r + (hasHeader ? 2 : 1)} has ${row.length} cells, the header ${header.length}`);
    if (byColumn) return Object.fromEntries(header.map((h, i) => [h, cellValue(row[i]!)]));
    return { [defaultInput]: row.map(cellValue) };
  });
}

function cellValue(cell: string): number | string {
  const t = cell.trim();
  return t !== "" && !Number.isNaN(Number(t)) ? Number(t) : t;
}

/** Splits one CSV line, honouring double-quoted cells with doubled quotes inside. */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cell);
      cell = "";
    } else cell += ch;
  }
  out.push(cell);
  return out;
}

/**
 * Parses JSON or JSON Lines into rows: an array (or `{"rows": [...]}`, or one row per line) whose
 * items are either lists of values for `defaultInput`, or objects mapping input names to values.
 */
export function parseJson(text: string, defaultInput: string): RawRow[] {
  let items: unknown[];
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
      try {
        const doc = JSON.parse(trimmed) as unknown;
        items = Array.isArray(doc) ? doc : Array.isArray((doc as { rows?: unknown }).rows) ? (doc as { rows: unknown[] }).rows : [doc];
      } catch (e) {
        // Not one document: JSON Lines.
        if (!trimmed.includes("\n")) throw e;
        items = trimmed.split(/\r?\n/).filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as unknown);
      }
    } else {
      throw new SyntaxError("expected a JSON array, an object with rows, or JSON Lines");
    }
  } catch (e) {
    throw new UsageError(`cannot read the JSON input: ${(e as Error).message}`);
  }
  return items.map((item, i) => {
    if (Array.isArray(item) || typeof item === "number" || typeof item === "string" || typeof item === "boolean") return { [defaultInput]: item };
    if (item && typeof item === "object") return item as RawRow;
    throw new UsageError(`row ${i} is neither a list of values nor an object of inputs`);
  });
}

/**
 * Turns rows into PredictRows: each input becomes a tensor of the type the model's signature
 * declares (float32 when unknown) and, for lists, the signature's shape without its batch dimension
 * when it fits, else a flat vector.
 */
export function toPredictRows(rows: readonly RawRow[], inputs: readonly TensorSpec[]): PredictRowInit[] {
  const specs = new Map(inputs.map((s) => [s.name, s]));
  return rows.map((row, r) => ({
    sequence: BigInt(r),
    inputs: Object.entries(row).map(([name, value]) => tensor(name, value, specs.get(name), r)),
  }));
}

function tensor(name: string, value: unknown, spec: TensorSpec | undefined, row: number): MessageInitShape<typeof InferTensorSchema> {
  const values = Array.isArray(value) ? (value.flat(Infinity) as unknown[]) : [value];
  const shape = Array.isArray(value) ? rowShape(values.length, spec) : [];
  const dataType = spec?.dataType || DataType.FLOAT32;
  const numbers = () =>
    values.map((v) => {
      const n = typeof v === "number" ? v : typeof v === "boolean" ? Number(v) : Number(String(v).trim());
      if (typeof v === "string" && v.trim() === "") throw new UsageError(`row ${row}, input ${name}: an empty value`);
      if (Number.isNaN(n)) throw new UsageError(`row ${row}, input ${name}: "${String(v)}" is not a number`);
      return n;
    });
  const base = { name, dataType, shape };
  switch (dataType) {
    case DataType.FLOAT64:
      return { ...base, contents: { case: "doubleValues", value: { values: numbers() } } };
    case DataType.INT32:
    case DataType.INT16:
    case DataType.INT8:
    case DataType.UINT8:
    case DataType.UINT16:
      return { ...base, contents: { case: "int32Values", value: { values: numbers().map(Math.trunc) } } };
    case DataType.INT64:
    case DataType.UINT32:
    case DataType.UINT64:
      return { ...base, contents: { case: "int64Values", value: { values: numbers().map((n) => BigInt(Math.trunc(n))) } } };
    case DataType.BOOL:
      return { ...base, contents: { case: "boolValues", value: { values: values.map((v) => v === true || v === 1 || v === "true" || v === "1") } } };
    case DataType.STRING:
      return { ...base, contents: { case: "stringValues", value: { values: values.map(String) } } };
    default:
      return { ...base, contents: { case: "floatValues", value: { values: numbers() } } };
  }
}

function rowShape(count: number, spec: TensorSpec | undefined): bigint[] {
  const dims = spec?.shape.slice(1) ?? [];
  if (dims.length > 0 && dims.every((d) => d > 0n) && dims.reduce((a, b) => a * b, 1n) === BigInt(count)) return dims;
  return [BigInt(count)];
}
