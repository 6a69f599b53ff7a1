import { randomBytes } from "node:crypto";

/**
 * Prediction ids carry where a prediction went (`<service>~<model>~<version>~<time><random>`), so
 * feedback reported later joins to its service and version without a database write per
 * prediction. Rows of row-oriented calls get `~<row>` appended.
 */
export interface PredictionRef {
  readonly serviceId: string;
  readonly modelId: string;
  readonly versionNumber: number;
  readonly time: Date;
  readonly row: number | undefined;
}

// Uniqueness comes from a random per-process prefix and a counter: cheaper than drawing random
// bytes on every prediction, and ids from two processes never collide.
const processTag = randomBytes(3).readUIntBE(0, 3);
let counter = 0;

export function newPredictionId(serviceId: string, modelId: string, versionNumber: number, now: number): string {
  counter = (counter + 1) % 0x1000000;
  const suffix = (processTag * 0x1000000 + counter).toString(16).padStart(12, "0");
  return `${serviceId}~${modelId}~${versionNumber}~${now.toString(36)}${suffix}`;
}

export function rowPredictionId(callId: string, row: number): string {
  return `${callId}~${row}`;
}

export function parsePredictionId(id: string): PredictionRef | undefined {
  const parts = id.split("~");
  if (parts.length !== 4 && parts.length !== 5) return undefined;
  const [serviceId, modelId, version, stamp, row] = parts as [string, string, string, string, string | undefined];
  const versionNumber = Number(version);
  const time = parseInt(stamp.slice(0, -12), 36);
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(serviceId) || !/^[a-z][a-z0-9-]{0,62}$/.test(modelId) || !Number.isSafeInteger(versionNumber) || versionNumber < 1) return undefined;
  if (!Number.isFinite(time) || !/^[0-9a-f]{12}$/.test(stamp.slice(-12))) return undefined;
  if (row !== undefined && !/^\d{1,9}$/.test(row)) return undefined;
  return { serviceId, modelId, versionNumber, time: new Date(time), row: row === undefined ? undefined : Number(row) };
}
