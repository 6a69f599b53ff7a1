import { describe, expect, it } from "vitest";
import type { Instance, SpotInstanceRequest } from "@aws-sdk/client-ec2";
import { AppError } from "../../../platform/errors/app-error.js";
import { translateAwsError } from "./aws-errors.js";
import { mapEc2Instance } from "./ec2-status.js";

const launched = new Date("2026-11-26T10:00:00Z");
const instance = (state: string, reason?: string, spot = true): Instance =>
  ({
    InstanceId: "i-0abc",
    State: { Name: state },
    LaunchTime: launched,
    ...(spot ? { InstanceLifecycle: "spot", SpotInstanceRequestId: "sir-1" } : {}),
    ...(reason ? { StateReason: { Code: reason, Message: `${reason}: details` } } : {}),
  }) as Instance;
const request = (code: string): SpotInstanceRequest => ({ SpotInstanceRequestId: "sir-1", Status: { Code: code } }) as SpotInstanceRequest;

describe("EC2 instance → compute observation", () => {
  it("maps every state explicitly", () => {
    expect(mapEc2Instance(instance("pending"))).toEqual({ state: "pending", message: "EC2 instance i-0abc is pending", launchedAt: launched });
    expect(mapEc2Instance(instance("running")).state).toBe("running");
    expect(mapEc2Instance(instance("shutting-down")).state).toBe("stopping");
    expect(mapEc2Instance(instance("stopping")).state).toBe("stopping");
    expect(mapEc2Instance(instance("stopped")).state).toBe("stopped");
    expect(mapEc2Instance(instance("terminated", "Client.InstanceInitiatedShutdown"))).toEqual({
      state: "gone",
      message: "EC2 instance i-0abc is terminated (Client.InstanceInitiatedShutdown: details)",
      launchedAt: launched,
    });
    expect(mapEc2Instance(undefined)).toEqual({ state: "gone", message: "the EC2 instance no longer exists" });
  });

  it("sees spot interruptions in the state reason or the spot request, once the instance is no longer running", () => {
    expect(mapEc2Instance(instance("terminated", "Server.SpotInstanceTermination")).preempted).toBe(true);
    expect(mapEc2Instance(instance("stopped", "Server.SpotInstanceShutdown")).preempted).toBe(true);
    expect(mapEc2Instance(instance("terminated"), request("instance-terminated-no-capacity"))).toMatchObject({
      state: "gone",
      preempted: true,
      message: "EC2 instance i-0abc is terminated; spot request sir-1: instance-terminated-no-capacity",
    });
    expect(mapEc2Instance(instance("stopped"), request("instance-stopped-by-price")).preempted).toBe(true);
    // Two minutes' notice: still running, it may finish.
    expect(mapEc2Instance(instance("running"), request("marked-for-termination")).preempted).toBeUndefined();
    // Not interruptions: a user's termination, a spot request closed normally, a capacity error at launch.
    expect(mapEc2Instance(instance("terminated", "Client.UserInitiatedShutdown")).preempted).toBeUndefined();
    expect(mapEc2Instance(instance("terminated"), request("instance-terminated-by-user")).preempted).toBeUndefined();
    expect(mapEc2Instance(instance("terminated", "Server.InsufficientInstanceCapacity")).preempted).toBeUndefined();
  });
});

describe("AWS errors", () => {
  const sdkError = (name: string, status: number) => Object.assign(new Error(`${name} happened`), { name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status } });

  it("names the call and region with the right kind, never leaking more", () => {
    const cases: [string, number, string][] = [
      ["UnauthorizedOperation", 403, "permission_denied"],
      ["InvalidSignatureException", 403, "permission_denied"],
      ["InsufficientInstanceCapacity", 500, "unavailable"],
      ["RequestLimitExceeded", 503, "unavailable"],
      ["InvalidAMIID.NotFound", 400, "failed_precondition"],
      ["SomethingNew", 502, "unavailable"],
      ["SomethingElse", 400, "failed_precondition"],
    ];
    for (const [name, status, kind] of cases) {
      const e = translateAwsError(sdkError(name, status), "RunInstances m6i.large", "eu-west-1");
      expect(e).toBeInstanceOf(AppError);
      expect([e.kind, e.message]).toEqual([kind, `aws: RunInstances m6i.large in eu-west-1 failed (${name}): ${name} happened`]);
    }
    expect(translateAwsError(new Error("connect ECONNREFUSED"), "DescribeRegions", "us-east-1")).toMatchObject({ kind: "unavailable", reason: "AWS_UNREACHABLE" });
  });
});
