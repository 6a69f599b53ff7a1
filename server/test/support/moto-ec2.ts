// EC2 in moto, for the aws adapter's end-to-end tests: a "hypervisor" that boots every instance
// moto launches by running its user data for real (bash, in a sandbox directory, with the AWS CLI
// pointed at moto), and the one thing moto cannot do, a spot interruption.
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { SandboxMachines } from "../../src/training/providers/remote/remote-testing.js";
import type { MotoServer } from "./moto-server.js";

/** A minimal EC2 query-API call to moto (it does not check signatures; the adapter's SDK calls are the ones under test). */
async function ec2(endpoint: string, params: Record<string, string>): Promise<string> {
  const body = new URLSearchParams({ Version: "2016-11-15", ...params }).toString();
  const res = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: "AWS4-HMAC-SHA256 Credential=artenic-test-key/20261126/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0" },
    body,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`moto EC2 ${params["Action"]} answered ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

/** instance id → state name, from a DescribeInstances response (each instance item has one of each, in order). */
function instanceStates(xml: string): Map<string, string> {
  const ids = [...xml.matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)].map((m) => m[1]!);
  const states = [...xml.matchAll(/<instanceState><code>\d+<\/code><name>([a-z-]+)<\/name><\/instanceState>/g)].map((m) => m[1]!);
  if (ids.length !== states.length) throw new Error("moto DescribeInstances: instance ids and states do not pair up");
  return new Map(ids.map((id, i) => [id, states[i]!]));
}

export interface MotoEc2HostOptions {
  /** Where each instance's "disk" (the sandbox root) is created. */
  readonly root: string;
  /** How often moto is looked at for new or terminated instances. @default 100 */
  readonly intervalMs?: number;
}

/**
 * Boots moto's instances: each new instance tagged `artenic-job` gets its user data fetched with
 * DescribeInstanceAttribute and run by bash in `<root>/<instance id>`, with the moto credentials in
 * its environment and the venv's `aws` on PATH; its self-stop terminates the instance in moto (as
 * `shutdown -h now` does with InstanceInitiatedShutdownBehavior=terminate). An instance terminated
 * from outside (cancel, cleanup) has its machine killed.
 */
export class MotoEc2Host {
  readonly machines = new SandboxMachines();
  /** Instances booted, in order. */
  readonly booted: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private readonly endpoint: string;

  constructor(
    private readonly moto: MotoServer,
    private readonly options: MotoEc2HostOptions,
  ) {
    this.endpoint = moto.endpoint;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs ?? 100);
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const states = instanceStates(await ec2(this.endpoint, { Action: "DescribeInstances", "Filter.1.Name": "tag-key", "Filter.1.Value.1": "artenic-job" }));
      for (const [id, state] of states) {
        if ((state === "pending" || state === "running") && !this.booted.includes(id)) {
          this.booted.push(id);
          const xml = await ec2(this.endpoint, { Action: "DescribeInstanceAttribute", InstanceId: id, Attribute: "userData" });
          const userData = Buffer.from(/<userData><value>([^<]*)<\/value><\/userData>/.exec(xml)?.[1] ?? "", "base64").toString("utf8");
          void this.machines.start(id, userData, {
            root: join(this.options.root, id),
            env: {
              PATH: `${this.moto.bin}:${process.env["PATH"] ?? "/usr/bin:/bin"}`,
              AWS_ACCESS_KEY_ID: this.moto.credentials.accessKeyId,
              AWS_SECRET_ACCESS_KEY: this.moto.credentials.secretAccessKey,
              AWS_CONFIG_FILE: "/dev/null",
              AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
            },
            stop: `aws ec2 terminate-instances --instance-ids ${id} >/dev/null`,
          });
        } else if ((state === "terminated" || state === "shutting-down" || state === "stopped") && this.machines.state(id) === "running") {
          await this.machines.kill(id);
        }
      }
    } catch {
      // moto is stopping, or busy: try again on the next tick.
    } finally {
      this.busy = false;
    }
  }

  /** Waits until `id` has been booted. */
  async waitBooted(id: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.booted.includes(id)) {
      if (Date.now() > deadline) throw new Error(`instance ${id} was never booted`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.machines.killAll();
  }
}

/**
 * Moto has no spot market: it never interrupts an instance, and its terminations always carry
 * Client.UserInitiatedShutdown. This pass-through proxy in front of moto plays the interruption at
 * the wire: for an instance marked with `interrupt`, the state reason in DescribeInstances answers
 * becomes EC2's documented Server.SpotInstanceTermination (the instance itself is really killed and
 * terminated in moto). Every other request and answer goes through unchanged.
 */
export class SpotInterruptionProxy {
  private server: Server | undefined;
  readonly interrupted = new Set<string>();
  url = "";

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
          const describe = body.includes("Action=DescribeInstances&");
          if (!describe || this.interrupted.size === 0) {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
            return;
          }
          const parts: Buffer[] = [];
          up.on("data", (c: Buffer) => parts.push(c));
          up.on("end", () => {
            let xml = Buffer.concat(parts).toString("utf8");
            const ids = [...xml.matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)].map((m) => m[1]!);
            if (ids.length === 1 && this.interrupted.has(ids[0]!)) {
              xml = xml.replace(
                /<stateReason>[\s\S]*?<\/stateReason>/,
                "<stateReason><code>Server.SpotInstanceTermination</code><message>Server.SpotInstanceTermination: Spot instance termination</message></stateReason>",
              );
            }
            const headers = { ...up.headers, "content-length": String(Buffer.byteLength(xml)) };
            res.writeHead(up.statusCode ?? 502, headers);
            res.end(xml);
          });
        });
        upstream.on("error", () => res.writeHead(502).end());
        upstream.end(body);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** Interrupts a running spot instance: its machine dies, moto terminates it, DescribeInstances says why. */
  async interrupt(host: MotoEc2Host, id: string): Promise<void> {
    this.interrupted.add(id);
    await host.machines.kill(id);
    await ec2(this.target, { Action: "TerminateInstances", "InstanceId.1": id });
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
