/**
 * Just enough of the protobuf wire format to edit a few fields of an ONNX model while copying
 * everything else byte for byte. The generated `onnx_pb` subset deliberately omits nodes and
 * attributes (it exists to read signatures cheaply), and decoding a whole model into messages to
 * change one node would also copy every weight; splicing raw fields avoids both.
 */

/** Protobuf wire types (the low three bits of a tag). */
export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

/** One field of a serialized message: where it sits and, for length-delimited fields, its payload. */
export interface WireField {
  readonly field: number;
  readonly wireType: number;
  /** Offsets of the whole field (tag included) in the message buffer. */
  readonly start: number;
  readonly end: number;
  /** Offsets of the payload: the varint, the fixed bytes or the length-delimited content. */
  readonly valueStart: number;
  readonly valueEnd: number;
}

/** Thrown when bytes are not a well-formed protobuf message; callers treat the model as opaque. */
export class WireFormatError extends Error {
  override name = "WireFormatError";
}

/** Reads a varint as a bigint at `offset`; returns the value and the offset after it. */
export function readVarint(bytes: Uint8Array, offset: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  let i = offset;
  for (;;) {
    const b = bytes[i];
    if (b === undefined || shift > 63n) {
      throw new WireFormatError(`truncated or overlong varint at ${offset}`);
    }
    value |= BigInt(b & 0x7f) << shift;
    i += 1;
    if ((b & 0x80) === 0) {
      return { value, next: i };
    }
    shift += 7n;
  }
}

function readSmallVarint(bytes: Uint8Array, offset: number): { value: number; next: number } {
  const { value, next } = readVarint(bytes, offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new WireFormatError(`varint at ${offset} is too large for a tag or length`);
  }
  return { value: Number(value), next };
}

/** Splits a serialized message into its top-level fields, in wire order. */
export function readFields(bytes: Uint8Array, from = 0, to = bytes.length): WireField[] {
  const fields: WireField[] = [];
  let i = from;
  while (i < to) {
    const start = i;
    const tag = readSmallVarint(bytes, i);
    i = tag.next;
    const field = Math.floor(tag.value / 8);
    const wireType = tag.value & 7;
    if (field === 0) {
      throw new WireFormatError(`field number 0 at ${start}`);
    }
    let valueStart = i;
    switch (wireType) {
      case WireType.varint:
        i = readVarint(bytes, i).next;
        break;
      case WireType.fixed64:
        i += 8;
        break;
      case WireType.fixed32:
        i += 4;
        break;
      case WireType.lengthDelimited: {
        const length = readSmallVarint(bytes, i);
        valueStart = length.next;
        i = length.next + length.value;
        break;
      }
      default:
        throw new WireFormatError(`unsupported wire type ${wireType} at ${start}`);
    }
    if (i > to) {
      throw new WireFormatError(`field ${field} at ${start} runs past the end of its message`);
    }
    fields.push({ field, wireType, start, end: i, valueStart, valueEnd: i });
  }
  return fields;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });
const utf8Encoder = new TextEncoder();

/** The payload of a length-delimited field as UTF-8 text. */
export function fieldString(bytes: Uint8Array, f: WireField): string {
  return utf8.decode(bytes.subarray(f.valueStart, f.valueEnd));
}

/** Encodes a non-negative integer as a varint. */
export function encodeVarint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

/** Concatenates byte chunks into one buffer. */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const c of chunks) length += c.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** A length-delimited field (tag, length, payload). */
export function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  return concatBytes([encodeVarint(field * 8 + WireType.lengthDelimited), encodeVarint(payload.length), payload]);
}

/** A string field. */
export function stringField(field: number, value: string): Uint8Array {
  return lengthDelimited(field, utf8Encoder.encode(value));
}

/** A varint field. */
export function varintField(field: number, value: number | bigint): Uint8Array {
  return concatBytes([encodeVarint(field * 8 + WireType.varint), encodeVarint(value)]);
}
