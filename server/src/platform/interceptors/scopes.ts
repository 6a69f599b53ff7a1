import type { DescMethod } from "@bufbuild/protobuf";
import type { Scope } from "../auth/principal.js";

// Methods that read or compute without changing platform state. Inference is a read: a key that can
// see a model can use it. Everything else changes state and needs WRITE; AdminService needs ADMIN.
const readPrefixes = ["Get", "List", "Watch", "Subscribe", "Download", "Resolve", "Estimate", "Recommend", "Predict", "StreamPredict", "Test"];

/** The scope an RPC requires. */
export function requiredScope(method: DescMethod): Scope {
  if (method.parent.typeName === "artenic.admin.v1.AdminService") return "admin";
  // The Open Inference Protocol only reads: health of models, metadata and inference.
  if (method.parent.typeName === "inference.GRPCInferenceService") return "read";
  if (method.idempotency === 1 /* NO_SIDE_EFFECTS */) return "read";
  return readPrefixes.some((p) => method.name.startsWith(p) && !method.name.startsWith("TestProvider") && !method.name.startsWith("TestWebhook"))
    ? "read"
    : "write";
}

/** The methods a training job's scoped token may call (on its own job only; the handlers check which job). */
export const jobTokenMethods: ReadonlySet<string> = new Set([
  "artenic.training.v1.TrainingService/GetTrainingJob",
  "artenic.training.v1.TrainingService/ReportTrainingMetrics",
  "artenic.training.v1.TrainingService/ReportTrainingCheckpoint",
  "artenic.training.v1.TrainingService/AppendTrainingLogs",
]);
