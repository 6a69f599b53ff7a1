import { create } from "@bufbuild/protobuf";
import { DurationSchema, type Duration } from "@bufbuild/protobuf/wkt";

/**
 * A `google.protobuf.Duration` from fractional milliseconds, rounded to the nanosecond.
 * (`durationFromMs` of protobuf-es expects whole milliseconds and fails to encode fractions.)
 */
export function durationFromMillis(ms: number): Duration {
  const nanos = Math.round(ms * 1e6);
  return create(DurationSchema, { seconds: BigInt(Math.floor(nanos / 1e9)), nanos: nanos % 1e9 });
}
