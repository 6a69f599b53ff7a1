/** The length of a budget period. */
export type PeriodKind = "daily" | "weekly" | "monthly";

/** How a budget cuts time into periods. */
export interface PeriodSettings {
  readonly period: PeriodKind;
  /** A window ending at the instant asked about, instead of a calendar period. */
  readonly rolling: boolean;
  /** IANA zone of calendar periods; empty means UTC. */
  readonly timeZone: string;
}

/** A half-open interval of time `[start, end)`. */
export interface Period {
  readonly start: Date;
  readonly end: Date;
}

const DAY_MS = 24 * 3600 * 1000;
const rollingLength: Record<PeriodKind, number> = { daily: DAY_MS, weekly: 7 * DAY_MS, monthly: 30 * DAY_MS };

/** The length of a rolling window of this kind, in milliseconds. */
export function rollingWindowMs(kind: PeriodKind): number {
  return rollingLength[kind];
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether the runtime knows the IANA zone (an empty zone means UTC). */
export function isKnownTimeZone(timeZone: string): boolean {
  if (timeZone === "") return true;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface LocalDate {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  readonly day: number;
}

/** The wall-clock time of `instant` in `timeZone`, expressed as if it were UTC milliseconds. */
function wallClockMs(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return Date.UTC(parts["year"]!, parts["month"]! - 1, parts["day"]!, parts["hour"]!, parts["minute"]!, parts["second"]!) + (instant % 1000 + 1000) % 1000;
}

function localDateOf(instant: number, timeZone: string): LocalDate {
  const wall = new Date(wallClockMs(instant, timeZone));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

/**
 * The first instant of a local date in `timeZone`. Usually local midnight; where a DST change skips
 * midnight, the first instant that belongs to the date. Day and month overflow like Date.UTC's.
 */
function startOfLocalDate(year: number, month: number, day: number, timeZone: string): number {
  const target = Date.UTC(year, month - 1, day);
  // Two corrections by the zone offset converge everywhere except inside a DST gap.
  let guess = target;
  for (let i = 0; i < 3; i++) guess = target - (wallClockMs(guess, timeZone) - guess);
  if (wallClockMs(guess, timeZone) === target) return guess;
  // A gap: the local date is monotonic in time, so search for its first instant.
  let lo = target - 18 * 3600 * 1000;
  let hi = target + 18 * 3600 * 1000;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallClockMs(mid, timeZone) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The period that contains `at`: the calendar day, ISO week (from Monday) or month in the budget's
 * zone, or for rolling budgets the window of 24 hours, 7 days or 30 days that ends at `at`
 * (inclusive: a job admitted at `at` is in it).
 */
export function periodAt(settings: PeriodSettings, at: Date): Period {
  const t = at.getTime();
  if (settings.rolling) return { start: new Date(t + 1 - rollingLength[settings.period]), end: new Date(t + 1) };
  const zone = settings.timeZone === "" ? "UTC" : settings.timeZone;
  const d = localDateOf(t, zone);
  switch (settings.period) {
    case "daily":
      return { start: new Date(startOfLocalDate(d.year, d.month, d.day, zone)), end: new Date(startOfLocalDate(d.year, d.month, d.day + 1, zone)) };
    case "weekly": {
      // ISO weeks start on Monday: getUTCDay() is 0 for Sunday.
      const weekday = (new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() + 6) % 7;
      const monday = d.day - weekday;
      return { start: new Date(startOfLocalDate(d.year, d.month, monday, zone)), end: new Date(startOfLocalDate(d.year, d.month, monday + 7, zone)) };
    }
    case "monthly":
      return { start: new Date(startOfLocalDate(d.year, d.month, 1, zone)), end: new Date(startOfLocalDate(d.year, d.month + 1, 1, zone)) };
  }
}
