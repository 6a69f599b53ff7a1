import { describe, expect, it } from "vitest";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema, PreconditionFailureSchema, QuotaFailureSchema, RetryInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { AppError, invalidField } from "./app-error.js";
import { toConnectError } from "./to-connect-error.js";

describe("toConnectError", () => {
  it("maps each kind to its code with ErrorInfo carrying reason, domain and metadata", () => {
    const e = toConnectError(new AppError("not_found", "MODEL_NOT_FOUND", "Model models/x does not exist.", { name: "models/x" }))!;
    expect(e.code).toBe(Code.NotFound);
    expect(e.rawMessage).toBe("Model models/x does not exist.");
    expect(e.findDetails(ErrorInfoSchema)[0]).toMatchObject({ reason: "MODEL_NOT_FOUND", domain: "artenic.ai", metadata: { name: "models/x" } });
  });

  it("adds BadRequest field violations for invalid fields", () => {
    const e = toConnectError(invalidField("model_id", "is too long"))!;
    expect(e.code).toBe(Code.InvalidArgument);
    expect(e.findDetails(BadRequestSchema)[0]?.fieldViolations[0]).toMatchObject({ field: "model_id", description: "is too long" });
  });

  it("adds PreconditionFailure for failed preconditions and RetryInfo when a delay is known", () => {
    const pre = toConnectError(new AppError("failed_precondition", "MODEL_HAS_VERSIONS", "m", { name: "models/x" }))!;
    expect(pre.findDetails(PreconditionFailureSchema)[0]?.violations[0]).toMatchObject({ type: "MODEL_HAS_VERSIONS", subject: "models/x" });
    const retry = toConnectError(new AppError("unavailable", "DOWN", "m", {}, { retryDelayMs: 1500 }))!;
    expect(retry.code).toBe(Code.Unavailable);
    expect(retry.findDetails(RetryInfoSchema)[0]?.retryDelay).toMatchObject({ seconds: 1n, nanos: 500_000_000 });
  });

  it("adds QuotaFailure violations for exhausted quotas", () => {
    const e = toConnectError(
      new AppError("resource_exhausted", "BUDGET_EXCEEDED", "m", { budget: "budgets/b" }, { quotaViolations: [{ subject: "budgets/b", description: "over" }] }),
    )!;
    expect(e.code).toBe(Code.ResourceExhausted);
    expect(e.findDetails(QuotaFailureSchema)[0]?.violations[0]).toMatchObject({ subject: "budgets/b", description: "over" });
  });

  it("maps leftover database exceptions by class name", () => {
    class UniqueConstraintViolationException extends Error {}
    class OptimisticLockError extends Error {}
    expect(toConnectError(new UniqueConstraintViolationException("duplicate key value violates ..."))?.code).toBe(Code.AlreadyExists);
    const lock = toConnectError(new OptimisticLockError("row changed"))!;
    expect(lock.code).toBe(Code.Aborted);
    expect(lock.rawMessage).not.toContain("row changed");
  });

  it("passes ConnectErrors through and leaves unknown errors to become INTERNAL", () => {
    const ce = new ConnectError("x", Code.Unauthenticated);
    expect(toConnectError(ce)).toBe(ce);
    expect(toConnectError(new Error("SELECT * FROM secrets"))).toBeUndefined();
    expect(toConnectError("boom")).toBeUndefined();
  });
});
