import { randomBytes } from "node:crypto";

/**
 * Prediction ids carry where a prediction went, so feedback reported later joins to its service
 * and to what answered (a model version or an ensemble snapshot) without a database write per
 * prediction: `<service>~<answered by>~<time><counter>`, where <answered by> is `m.<model>.<version>`
 * or `e.<ensemble>.<snapshot>`. Rows of row-oriented calls get `~<row>` appended.
 */
export interface PredictionRef {
  readonly serviceId: string;
  /** `models/{m}/versions/{n}` or `ensembles/{e}/snapshots/{s}`. */
  readonly answeredBy: string;
  readonly time: Date;
  readonly row: number | undefined;
}

// Uniqueness comes from a random per-process prefix and a counter: cheaper than drawing random
// bytes on every prediction, and ids from two processes never collide.
const processTag = randomBytes(3).readUIntBE(0, 3);
let counter = 0;

const ID = "[a-z][a-z0-9-]{0,62}";
const ANSWERED = new RegExp(`^(?:models/(${ID})/versions/([1-9][0-9]{0,17})|ensembles/(${ID})/snapshots/([1-9][0-9]{0,17}))$`);
const ENCODED = new RegExp(`^(?:m\\.(${ID})\\.([1-9][0-9]{0,17})|e\\.(${ID})\\.([1-9][0-9]{0,17}))$`);

function encode(answeredBy: string): string {
  const m = ANSWERED.exec(answeredBy);
  if (!m) throw new RangeError(`cannot encode "${answeredBy}" in a prediction id`);
  return m[1] ? `m.${m[1]}.${m[2]}` : `e.${m[3]}.${m[4]}`;
}

export function newPredictionId(serviceId: string, answeredBy: string, now: number): string {
  counter = (counter + 1) % 0x1000000;
  const suffix = (processTag * 0x1000000 + counter).toString(16).padStart(12, "0");
  return `${serviceId}~${encode(answeredBy)}~${now.toString(36)}${suffix}`;
}

export function rowPredictionId(callId: string, row: number): string {
  return `${callId}~${row}`;
}

export function parsePredictionId(id: string): PredictionRef | undefined {
  const parts = id.split("~");
  if (parts.length !== 3 && parts.length !== 4) return undefined;
  const [serviceId, target, stamp, row] = parts as [string, string, string, string | undefined];
  const m = ENCODED.exec(target);
  if (!new RegExp(`^${ID}$`).test(serviceId) || !m) return undefined;
  const time = parseInt(stamp.slice(0, -12), 36);
  if (!Number.isFinite(time) || !/^[0-9a-f]{12}$/.test(stamp.slice(-12))) return undefined;
  if (row !== undefined && !/^\d{1,9}$/.test(row)) return undefined;
  const answeredBy = m[1] ? `models/${m[1]}/versions/${m[2]}` : `ensembles/${m[3]}/snapshots/${m[4]}`;
  return { serviceId, answeredBy, time: new Date(time), row: row === undefined ? undefined : Number(row) };
}
