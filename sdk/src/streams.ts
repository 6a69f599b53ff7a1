import { Code, type Client } from "@connectrpc/connect";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { EventsService, Heartbeat, SubscribeRequestSchema } from "@artenic/gen/artenic/events/v1/events_service_pb";
import type { Event } from "@artenic/gen/artenic/events/v1/event_pb";
import type {
  InferenceService,
  PredictRowSchema,
  RowPrediction,
  StreamPredictRequestSchema,
} from "@artenic/gen/artenic/inference/v1/inference_service_pb";
import { backoffMs, sleep } from "./call-policy.js";
import { ArtenicError } from "./errors.js";
import { serviceName } from "./names.js";

export interface SubscribeEventsOptions {
  /** Ends the iteration (without an error) when aborted. */
  readonly signal?: AbortSignal;
  /**
   * Resume after UNAVAILABLE (a server restart) or SUBSCRIBER_TOO_SLOW from the last cursor seen,
   * so no event is lost or repeated. Default true.
   */
  readonly resume?: boolean;
  /** Consecutive failed resumptions before giving up. Default 10. */
  readonly maxResumeAttempts?: number;
  /** Called with every heartbeat (`caughtUp` tells that the replay reached the live end). */
  readonly onHeartbeat?: (heartbeat: Heartbeat) => void;
  /** Called before each resumption, with the error that ended the previous stream. */
  readonly onResume?: (info: { cursor: string; error: ArtenicError; attempt: number }) => void;
}

/**
 * Iterates the platform's events (`EventsService.Subscribe`) in commit order: the replay the request
 * asks for, then live events, until the loop breaks or `signal` aborts. Heartbeats are not yielded
 * (see `onHeartbeat`). Each event carries its `cursor`; store the last one to resume later with
 * `afterCursor`.
 *
 * @example
 * for await (const event of artenic.subscribeEvents({ topics: [EventTopic.REGISTRY] })) {
 *   console.log(event.type, event.resource);
 * }
 */
export async function* subscribeEvents(
  events: Client<typeof EventsService>,
  request: MessageInitShape<typeof SubscribeRequestSchema> = {},
  options: SubscribeEventsOptions = {},
): AsyncGenerator<Event> {
  let cursor = request.afterCursor ?? "";
  let failures = 0;
  for (;;) {
    const req = cursor ? { ...request, fromBeginning: false, afterCursor: cursor } : request;
    try {
      for await (const message of events.subscribe(req, options.signal ? { signal: options.signal } : {})) {
        failures = 0;
        if (message.message.case === "event") {
          cursor = message.message.value.cursor || cursor;
          yield message.message.value;
        } else if (message.message.case === "heartbeat") {
          cursor = message.message.value.cursor || cursor;
          options.onHeartbeat?.(message.message.value);
        }
      }
      return; // The server ended the stream cleanly.
    } catch (e) {
      const error = ArtenicError.from(e);
      if (options.signal?.aborted || error.code === Code.Canceled) return;
      const resumable = error.code === Code.Unavailable || (error.code === Code.ResourceExhausted && error.reason === "SUBSCRIBER_TOO_SLOW");
      failures++;
      if (options.resume === false || !resumable || failures > (options.maxResumeAttempts ?? 10)) throw error;
      cursor = error.metadata["resume_cursor"] || cursor;
      options.onResume?.({ cursor, error, attempt: failures });
      try {
        await sleep(backoffMs(failures, error.retryDelayMs, { initialBackoffMs: 200, maxBackoffMs: 10_000 }), options.signal);
      } catch {
        return;
      }
    }
  }
}

/** A row for `streamPredict`: its tensors without the batch dimension. */
export type PredictRowInit = MessageInitShape<typeof PredictRowSchema>;

export interface StreamPredictOptions {
  /** Rows per request message, 1 to 4,096. Default 256. */
  readonly rowsPerMessage?: number;
  /** The routing key for rows that carry none (sticky A/B assignment). */
  readonly routingKey?: string;
  /** The outputs to return; empty means all. */
  readonly outputNames?: readonly string[];
  /** Free-form parameters kept with the prediction records. */
  readonly parameters?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/**
 * Predicts rows as they come with the bidirectional `InferenceService.StreamPredict` and yields one
 * result per row, in order, each with its own status (a bad row does not end the stream). Needs a
 * transport that streams requests: gRPC or Connect over HTTP/2 (Node). In browsers, use
 * `inference.streamPredictBatch`, the server-streaming variant.
 */
export async function* streamPredict(
  inference: Client<typeof InferenceService>,
  service: string,
  rows: Iterable<PredictRowInit> | AsyncIterable<PredictRowInit>,
  options: StreamPredictOptions = {},
): AsyncGenerator<RowPrediction> {
  const perMessage = Math.min(4096, Math.max(1, options.rowsPerMessage ?? 256));
  async function* requests(): AsyncGenerator<MessageInitShape<typeof StreamPredictRequestSchema>> {
    let first = true;
    let batch: PredictRowInit[] = [];
    const head = () => {
      if (!first) return {};
      first = false;
      return {
        service: serviceName(service),
        ...(options.routingKey ? { routingKey: options.routingKey } : {}),
        ...(options.outputNames ? { outputNames: [...options.outputNames] } : {}),
        ...(options.parameters ? { parameters: { ...options.parameters } } : {}),
      };
    };
    for await (const row of rows) {
      batch.push(row);
      if (batch.length === perMessage) {
        yield { ...head(), rows: batch };
        batch = [];
      }
    }
    if (batch.length > 0 || first) yield { ...head(), rows: batch };
  }
  const callOptions = { ...(options.signal ? { signal: options.signal } : {}), ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) };
  for await (const response of inference.streamPredict(requests(), callOptions)) {
    yield* response.results;
  }
}
