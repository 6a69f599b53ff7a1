import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OUTBOX_LOCK_KEY } from "./budget-spending.js";
import { formatMicros, percentUsed, unitsToMicros } from "./money.js";
import { moneyFromProto, toMoney } from "./budget.mapper.js";
import { create } from "@bufbuild/protobuf";
import { MoneySchema } from "@artenic/gen/google/type/money_pb";

describe("budget locking", () => {
  it("takes the same advisory lock as the event log's commit hooks", () => {
    const hooks = readFileSync(new URL("../events/outbox-commit-hooks.ts", import.meta.url), "utf8");
    expect(hooks).toContain(`const OUTBOX_LOCK_KEY = "${OUTBOX_LOCK_KEY}"`);
  });
});

describe("money", () => {
  it("keeps amounts exact in micro-units", () => {
    expect(unitsToMicros(0.1) + unitsToMicros(0.2)).toBe(unitsToMicros(0.3));
    expect(formatMicros(37_000_000)).toBe("37");
    expect(formatMicros(2_250_000)).toBe("2.25");
    expect(formatMicros(-1_500_001)).toBe("-1.500001");
    expect(percentUsed(10_000_000, 3_000_000, 3_000_000)).toBeCloseTo(60, 9);
  });

  it("converts google.type.Money both ways with units and nanos of one sign", () => {
    expect(moneyFromProto(create(MoneySchema, { currencyCode: "EUR", units: 12n, nanos: 340_000_000 }))).toEqual({ amountMicros: 12_340_000, currency: "EUR" });
    expect(toMoney(-1_500_000, "USD")).toMatchObject({ units: -1n, nanos: -500_000_000, currencyCode: "USD" });
    expect(toMoney(2_000_001, "USD")).toMatchObject({ units: 2n, nanos: 1000 });
  });
});
