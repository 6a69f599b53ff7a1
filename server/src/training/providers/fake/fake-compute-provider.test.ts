import { describe, expect, it } from "vitest";
import { describeComputeProviderContract } from "../../compute-provider.contract.js";
import { FakeComputeProvider, parseFakeScript } from "./fake-compute-provider.js";

describeComputeProviderContract("fake", () => new FakeComputeProvider(), {
  succeed: (file, content, envName) => ({ command: ["fake", `output=${file}=${content}`, `output-env=${file}.env=${envName}`] }),
  fail: (code) => ({ command: ["fake", `exit=${code}`] }),
  runForever: () => ({ command: ["fake", "run=100000000"] }),
  log: (line) => ({ command: ["fake", `log=${line}`] }),
  preempt: async (provider, handle) => (provider as FakeComputeProvider).preempt(handle.data["job"]!),
  pollIntervalMs: 1,
});

describe("FakeComputeProvider scripts", () => {
  it("reads the script from the argv and ignores other words", () => {
    const s = parseFakeScript(["python", "train.py", "provision=2", "run=3", "exit=4", "preempt@fake-b", "log=hi", "echo-env=X"], { X: "1" });
    expect(s).toMatchObject({ provisionPolls: 2, runPolls: 3, exitCode: 4, preempt: true, preemptRegions: ["fake-b"], logs: ["hi", "X=1"] });
  });

  it("preempts only in the regions the script names", async () => {
    const fake = new FakeComputeProvider();
    const base = { image: "", args: [], env: {}, codePath: "", cpus: 1, memoryBytes: 1, gpuType: "", gpuCount: 0, instanceType: "fake-cpu-small", spot: true, maxRuntimeMs: 1000 };
    const a = await fake.submit({ ...base, jobName: "trainingJobs/a", command: ["fake", "provision=0", "run=0", "preempt@fake-a"], region: "fake-a" });
    const b = await fake.submit({ ...base, jobName: "trainingJobs/b", command: ["fake", "provision=0", "run=0", "preempt@fake-a"], region: "fake-b" });
    expect((await fake.poll(a)).state).toBe("preempted");
    expect((await fake.poll(b)).state).toBe("succeeded");
  });

  it("prices the second region 10 % above the first, spot below on-demand", async () => {
    const offers = await new FakeComputeProvider().listOfferings();
    const small = offers.filter((o) => o.instanceType === "fake-cpu-small");
    expect(small.map((o) => o.region)).toEqual(["fake-a", "fake-b"]);
    expect(small[1]!.onDemandPerHour).toBeCloseTo(small[0]!.onDemandPerHour * 1.1, 9);
    expect(small[0]!.spotPerHour!).toBeLessThan(small[0]!.onDemandPerHour);
  });
});
