/** What is kept of one prediction call for health windows and A/B statistics. */
export interface PredictionRecord {
  /** Epoch milliseconds when the call finished. */
  readonly time: number;
  readonly serviceId: string;
  /** `models/{m}/versions/{n}`, or "" when the call failed before a version was chosen. */
  readonly modelVersion: string;
  readonly predictionId: string;
  /** Rows answered by this call (1 for a single-row Predict). */
  readonly rows: number;
  readonly latencyMs: number;
  /** "" on success, else the error reason (e.g. INVALID_INPUT). */
  readonly error: string;
  /** Mean top-class probability over the rows, for classifiers; NaN otherwise. */
  readonly confidence: number;
  /** The first row's input values (up to 64 numbers), for drift statistics. */
  readonly features: readonly number[];
  /** The first row's values of the first numeric output (up to 16 numbers), for output drift. */
  readonly outputs: readonly number[];
  /** Predicted labels by row (classifiers; at most 1,024), which accuracy compares with feedback. */
  readonly labels?: readonly string[];
  /** Under a traffic split: `abTests/{id}` or `canaryRollouts/{id}` and the variant or arm. */
  readonly abTest?: string;
  readonly canaryRollout?: string;
  readonly variant?: string;
  /** A copy run for an A/B shadow variant; nobody was answered with it. */
  readonly shadow?: boolean;
}

/**
 * A bounded in-memory ring of recent predictions. Writing is an array store and a counter bump, so
 * it stays off the hot path (no database write per prediction); readers (health, A/B) take
 * snapshots. When full, the oldest records are overwritten.
 */
export class PredictionRecorder {
  private readonly ring: (PredictionRecord | undefined)[];
  private next = 0;
  private total = 0;

  constructor(readonly capacity = 100_000) {
    this.ring = new Array<PredictionRecord | undefined>(capacity);
  }

  private readonly listeners: ((r: PredictionRecord) => void)[] = [];
  private readonly byId = new Map<string, PredictionRecord>();

  record(r: PredictionRecord): void {
    const evicted = this.ring[this.next];
    if (evicted?.predictionId) this.byId.delete(evicted.predictionId);
    this.ring[this.next] = r;
    this.next = (this.next + 1) % this.capacity;
    this.total += 1;
    if (r.predictionId) this.byId.set(r.predictionId, r);
    for (const l of this.listeners) l(r);
  }

  /** Calls `listener` for every record from now on (A/B statistics accumulate this way). */
  onRecord(listener: (r: PredictionRecord) => void): void {
    this.listeners.push(listener);
  }

  /** The record of a prediction still in the buffer, by its id (row ids resolve to their call). */
  find(predictionId: string): PredictionRecord | undefined {
    return this.byId.get(predictionId) ?? this.byId.get(predictionId.replace(/~\d+$/, ""));
  }

  /** Records ever written, including those overwritten since. */
  get count(): number {
    return this.total;
  }

  /** The records newer than `sinceMs` (epoch ms), oldest first, optionally for one service. */
  since(sinceMs: number, serviceId?: string): PredictionRecord[] {
    const out: PredictionRecord[] = [];
    const n = Math.min(this.total, this.capacity);
    for (let i = n; i > 0; i--) {
      const r = this.ring[(this.next - i + this.capacity) % this.capacity];
      if (r && r.time >= sinceMs && (serviceId === undefined || r.serviceId === serviceId)) out.push(r);
    }
    return out;
  }
}
