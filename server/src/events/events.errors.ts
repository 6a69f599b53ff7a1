import { AppError, invalidField } from "../platform/errors/app-error.js";
import { formatCursor } from "./event-log.js";

/**
 * The subscriber's cursor points before the retained log: events after it were deleted by
 * retention, so resuming from it would silently skip them. `oldest_cursor` is the oldest retained
 * event's cursor (empty when the log is empty).
 */
export function cursorExpired(field: string, cursor: number, oldest: number): AppError {
  return new AppError(
    "failed_precondition",
    "CURSOR_EXPIRED",
    `${field} ${cursor} is older than the retained event log (oldest retained cursor: ${formatCursor(oldest) || "none"}); events after it were deleted by retention.`,
    { field, cursor: String(cursor), oldest_cursor: formatCursor(oldest) },
  );
}

/** A well-formed cursor past the end of this database's log: it was not handed out by this log. */
export function cursorBeyondLog(field: string, cursor: number, newest: number): AppError {
  return invalidField(field, `${cursor} is past the end of the event log (newest cursor: ${formatCursor(newest) || "none"}); it was not returned by this server`, "INVALID_CURSOR");
}

/**
 * The subscriber did not read fast enough and its bounded buffer filled. `resume_cursor` is the
 * cursor of the last message it was sent: passing it as `after_cursor` continues with no gap. It is
 * empty only when the log was empty when the subscriber started and nothing reached it since: then
 * `from_beginning` continues with no gap.
 */
export function subscriberTooSlow(resumeCursor: number, buffer: number): AppError {
  const how = resumeCursor > 0 ? `after_cursor set to resume_cursor (${formatCursor(resumeCursor)})` : "from_beginning set";
  return new AppError(
    "resource_exhausted",
    "SUBSCRIBER_TOO_SLOW",
    `The subscriber fell more than ${buffer} events behind and was disconnected; subscribe again with ${how} to continue where it stopped.`,
    { resume_cursor: formatCursor(resumeCursor), buffer: String(buffer) },
  );
}
