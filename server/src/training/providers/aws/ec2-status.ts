import type { Instance, SpotInstanceRequest } from "@aws-sdk/client-ec2";
import type { ComputeObservation } from "../remote/index.js";

/**
 * An EC2 instance (and its spot request, when it has one) as a ComputeObservation. Success is never
 * decided here: status.json does that (remote/status-object.ts).
 *
 * - pending → pending; running → running; stopping and shutting-down → stopping; stopped → stopped;
 *   terminated or not found → gone.
 * - Preempted when the instance is no longer running AND either its state reason is a spot
 *   interruption (Server.SpotInstanceTermination, Server.SpotInstanceShutdown) or its spot request
 *   says EC2 took the capacity back (instance-terminated-by-price, -no-capacity,
 *   -capacity-oversubscribed, instance-stopped-..., instance-hibernated-...). A running instance
 *   marked for interruption keeps running for its two minutes' notice and may still finish.
 */

const SPOT_STATE_REASONS = new Set(["Server.SpotInstanceTermination", "Server.SpotInstanceShutdown"]);
const SPOT_REQUEST_INTERRUPTIONS = /^instance-(terminated|stopped|hibernated)-(by-price|no-capacity|capacity-oversubscribed|launch-group-constraint)$|^marked-for-(termination|stop|hibernation)$/;

export function mapEc2Instance(instance: Instance | undefined, spotRequest?: SpotInstanceRequest): ComputeObservation {
  if (!instance) return { state: "gone", message: "the EC2 instance no longer exists" };
  const id = instance.InstanceId ?? "";
  const name = instance.State?.Name ?? "unknown";
  const reasonCode = instance.StateReason?.Code ?? "";
  const reason = instance.StateReason?.Message || reasonCode || instance.StateTransitionReason || "";
  const spotCode = spotRequest?.Status?.Code ?? "";
  const message = [`EC2 instance ${id} is ${name}`, reason ? ` (${reason})` : "", spotCode ? `; spot request ${spotRequest?.SpotInstanceRequestId ?? ""}: ${spotCode}` : ""].join("");
  const launchedAt = instance.LaunchTime ? { launchedAt: instance.LaunchTime } : {};
  const state: ComputeObservation["state"] =
    name === "pending" ? "pending" : name === "running" ? "running" : name === "stopping" || name === "shutting-down" ? "stopping" : name === "stopped" ? "stopped" : "gone";
  const interrupted = SPOT_STATE_REASONS.has(reasonCode) || SPOT_REQUEST_INTERRUPTIONS.test(spotCode);
  const preempted = state !== "running" && state !== "pending" && interrupted;
  return { state, message, ...(preempted ? { preempted: true } : {}), ...launchedAt };
}
