import { describe, expect, it } from "vitest";
import { AppError } from "../errors/app-error.js";
import { parseFilter, parseOrderBy, type ListSpec } from "./list-query.js";

const spec: ListSpec = {
  fields: {
    display_name: { prop: "displayName", type: "string" },
    stage: { prop: "stage", type: "string", values: { PRODUCTION: "production", NONE: "none" } },
    create_time: { prop: "createTime", type: "timestamp" },
    version_number: { prop: "number", type: "number" },
  },
  maps: { labels: { prop: "labels", type: "string" }, metrics: { prop: "metrics", type: "number" } },
  defaultOrder: "create_time desc",
  idProp: "id",
};

function reason(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof AppError ? `${e.reason}:${e.fieldViolations[0]?.field}` : "other";
  }
  return undefined;
}

describe("parseFilter", () => {
  it("returns an empty query when the filter is blank", () => {
    expect(parseFilter("  ", spec)).toEqual({});
  });

  it("maps comparisons, enum words, maps and quoted strings onto entity properties", () => {
    expect(parseFilter('stage = PRODUCTION AND labels.team = "red team" AND metrics.acc >= 0.9', spec)).toEqual({
      $and: [{ stage: { $eq: "production" } }, { labels: { team: { $eq: "red team" } } }, { metrics: { acc: { $gte: 0.9 } } }],
    });
  });

  it("converts timestamps to dates", () => {
    expect(parseFilter('create_time > "2026-01-01T00:00:00Z"', spec)).toEqual({ createTime: { $gt: new Date("2026-01-01T00:00:00Z") } });
  });

  it.each([
    ["an unknown field", "owner = x"],
    ["an unknown enum word", "stage = LIVE"],
    ["a non-number for a number field", "version_number > ten"],
    ["a dangling AND", "stage = NONE AND"],
    ["a missing operator", "stage NONE"],
    ["comparisons not joined by AND", "stage = NONE stage = NONE"],
  ])("refuses %s with INVALID_FILTER naming filter", (_, filter) => {
    expect(reason(() => parseFilter(filter, spec))).toBe("INVALID_FILTER:filter");
  });
});

describe("parseOrderBy", () => {
  it("uses the default order and appends the id as the last tiebreaker", () => {
    expect(parseOrderBy("", spec).map((t) => [t.path.join("."), t.desc])).toEqual([
      ["createTime", true],
      ["id", true],
    ]);
  });

  it("accepts several fields with directions", () => {
    expect(parseOrderBy("display_name, version_number desc", spec).map((t) => [t.path.join("."), t.desc])).toEqual([
      ["displayName", false],
      ["number", true],
      ["id", true],
    ]);
  });

  it("refuses an unknown field or direction with INVALID_ORDER_BY", () => {
    expect(reason(() => parseOrderBy("owner", spec))).toBe("INVALID_ORDER_BY:order_by");
    expect(reason(() => parseOrderBy("display_name sideways", spec))).toBe("INVALID_ORDER_BY:order_by");
  });
});
