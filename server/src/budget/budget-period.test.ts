import { describe, expect, it } from "vitest";
import { isKnownTimeZone, periodAt } from "./budget-period.js";

const iso = (p: { start: Date; end: Date }) => [p.start.toISOString(), p.end.toISOString()];

describe("periodAt", () => {
  const at = new Date("2026-03-29T12:34:56.789Z"); // a Sunday, the day Europe switches to summer time

  it("gives the calendar day, ISO week from Monday and month in UTC", () => {
    expect(iso(periodAt({ period: "daily", rolling: false, timeZone: "" }, at))).toEqual(["2026-03-29T00:00:00.000Z", "2026-03-30T00:00:00.000Z"]);
    expect(iso(periodAt({ period: "weekly", rolling: false, timeZone: "" }, at))).toEqual(["2026-03-23T00:00:00.000Z", "2026-03-30T00:00:00.000Z"]);
    expect(iso(periodAt({ period: "monthly", rolling: false, timeZone: "UTC" }, at))).toEqual(["2026-03-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z"]);
    expect(iso(periodAt({ period: "monthly", rolling: false, timeZone: "" }, new Date("2026-12-31T23:59:59.999Z")))).toEqual([
      "2026-12-01T00:00:00.000Z",
      "2027-01-01T00:00:00.000Z",
    ]);
  });

  it("follows the zone's midnight across a DST change", () => {
    // Paris: UTC+1 on the 29th at midnight, UTC+2 from 03:00 local; the day is 23 hours long.
    expect(iso(periodAt({ period: "daily", rolling: false, timeZone: "Europe/Paris" }, at))).toEqual(["2026-03-28T23:00:00.000Z", "2026-03-29T22:00:00.000Z"]);
    expect(iso(periodAt({ period: "monthly", rolling: false, timeZone: "Europe/Paris" }, at))).toEqual(["2026-02-28T23:00:00.000Z", "2026-03-31T22:00:00.000Z"]);
    // 02:00 UTC on the 30th is already Monday the 30th in Tokyo: a new ISO week.
    expect(iso(periodAt({ period: "weekly", rolling: false, timeZone: "Asia/Tokyo" }, new Date("2026-03-29T16:00:00Z")))).toEqual([
      "2026-03-29T15:00:00.000Z",
      "2026-04-05T15:00:00.000Z",
    ]);
  });

  it("starts the day at the first instant that exists where DST skips midnight", () => {
    // Santiago moved clocks from 00:00 to 01:00 on 2026-09-06.
    const p = periodAt({ period: "daily", rolling: false, timeZone: "America/Santiago" }, new Date("2026-09-06T12:00:00Z"));
    expect(iso(p)).toEqual(["2026-09-06T04:00:00.000Z", "2026-09-07T03:00:00.000Z"]);
  });

  it("gives a window ending at the instant, inclusive, for rolling budgets", () => {
    expect(iso(periodAt({ period: "daily", rolling: true, timeZone: "Europe/Paris" }, at))).toEqual(["2026-03-28T12:34:56.790Z", "2026-03-29T12:34:56.790Z"]);
    const month = periodAt({ period: "monthly", rolling: true, timeZone: "" }, at);
    expect(month.end.getTime() - month.start.getTime()).toBe(30 * 24 * 3600 * 1000);
  });

  it("knows IANA zones and refuses others", () => {
    expect(isKnownTimeZone("")).toBe(true);
    expect(isKnownTimeZone("America/New_York")).toBe(true);
    expect(isKnownTimeZone("Mars/Olympus_Mons")).toBe(false);
  });
});
