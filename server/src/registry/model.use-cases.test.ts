import { describe, expect, it } from "vitest";
import { isLegalMove, type Stage } from "./model.use-cases.js";

const stages: Stage[] = ["none", "staging", "production", "archived"];
const legal = new Set(["none>staging", "none>production", "none>archived", "staging>production", "staging>none", "staging>archived", "production>archived", "production>staging", "archived>staging", "archived>none"]);

describe("stage machine", () => {
  it.each(stages.flatMap((from) => stages.map((to) => [from, to] as const)))("%s -> %s is legal only if listed", (from, to) => {
    expect(isLegalMove(from, to)).toBe(legal.has(`${from}>${to}`));
  });
});
