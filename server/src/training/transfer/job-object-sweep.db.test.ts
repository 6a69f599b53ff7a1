import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { pino } from "pino";
import { createScratchPostgres, databaseKinds, type ScratchDatabase } from "../../../test/support/databases.js";
import { insertTrainingJobRow } from "../../../test/support/training-job-rows.js";
import { initOrm, migrate, type Orm } from "../../platform/db/orm.js";
import { PlatformTransfer, sweepJobObjects, transferStoreSpace } from "./index.js";

const DAY = 24 * 3600_000;

describe.each(databaseKinds)("the job object sweep over a real data dir, with the jobs on %s", (kind) => {
  let orm: Orm;
  let scratch: ScratchDatabase | undefined;
  let dir: string;
  let transfer: PlatformTransfer;
  const logs: string[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => void logs.push(line) });
  const root = () => join(dir, "training", "transfer");
  const now = new Date();
  const jobFiles = async (id: string) => {
    await transfer.put(`artenic/jobs/${id}/code.tar.gz`, randomBytes(64));
    await transfer.put(`artenic/jobs/${id}/env.sh`, Buffer.from("export A='1'\n"));
    await transfer.put(`artenic/jobs/${id}/logs/stdout.log`, Buffer.from("line\n"));
  };
  const files = (key: string) => (existsSync(join(root(), key)) ? readdirSync(join(root(), key), { recursive: true }).map(String).sort() : undefined);

  beforeAll(async () => {
    if (kind === "postgresql") {
      scratch = await createScratchPostgres("sweep");
      orm = await initOrm(scratch.config);
    } else {
      orm = await initOrm({ kind: "sqlite", path: ":memory:" });
    }
    await migrate(orm);
    dir = mkdtempSync(join(tmpdir(), "artenic-sweep-"));
    transfer = new PlatformTransfer({ root: root(), secret: randomBytes(32) });
    const em = orm.em.fork();
    await insertTrainingJobRow(em, "live-job", "running", { createTime: new Date(now.getTime() - 30 * DAY) });
    await insertTrainingJobRow(em, "old-done", "succeeded", { createTime: new Date(now.getTime() - 10 * DAY), endTime: new Date(now.getTime() - 8 * DAY) });
    await insertTrainingJobRow(em, "recent-done", "failed", { createTime: new Date(now.getTime() - 2 * DAY), endTime: new Date(now.getTime() - DAY) });
    await insertTrainingJobRow(em, "lambda-old", "cancelled", { createTime: new Date(now.getTime() - 9 * DAY), endTime: new Date(now.getTime() - 7 * DAY - 60_000) });
    for (const id of ["live-job", "old-done", "recent-done", "ghost-job"]) await jobFiles(id);
    // A store with another prefix (jobs at the root of the transfer, or under two segments) is found too.
    await transfer.put("jobs/lambda-old/status.json", Buffer.from("{}"));
    await transfer.put("team/a/jobs/ghost-two/status.json", Buffer.from("{}"));
    // Not a job directory the kit writes: left alone.
    await transfer.put("artenic/jobs/Not_A_Job/status.json", Buffer.from("{}"));
  });
  afterAll(async () => {
    await orm?.close();
    await scratch?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("removes old terminal and unknown jobs and stale temporary files; keeps live and recent jobs, fresh temps and an upload in progress", async () => {
    const live = "artenic/jobs/live-job/";
    const stale = join(root(), live, "logs", "stderr.log.upload-0123456789ab");
    writeFileSync(stale, "half an upload");
    utimesSync(stale, new Date(now.getTime() - 2 * DAY), new Date(now.getTime() - 2 * DAY));
    const fresh = join(root(), live, "outputs.tar.gz.upload-ba9876543210");
    writeFileSync(fresh, "being written");
    // An upload streaming while the sweep runs: its temp file exists, and it completes afterwards.
    const body = new PassThrough();
    const uploading = transfer.write(`${live}logs/stdout.log`, body, 1024);
    body.write("first half\n");
    await expect.poll(() => readdirSync(join(root(), live, "logs")).some((f) => f.startsWith("stdout.log.upload-"))).toBe(true);

    // Two replicas sharing the data dir sweep at once: the same end state, no failure in either.
    const [a, b] = await Promise.all([
      sweepJobObjects({ em: () => orm.em.fork(), spaces: [transferStoreSpace(transfer.store)], retentionMs: 7 * DAY, logger }),
      sweepJobObjects({ em: () => orm.em.fork(), spaces: [transferStoreSpace(transfer.store)], retentionMs: 7 * DAY, logger }),
    ]);
    expect(logs.filter((l) => JSON.parse(l).level >= 40)).toEqual([]);
    const removed = new Set([...a.removedJobs, ...b.removedJobs].map((r) => r.slice(r.indexOf(": ") + 2)));
    expect([...removed].sort()).toEqual(["artenic/jobs/ghost-job/", "artenic/jobs/old-done/", "jobs/lambda-old/", "team/a/jobs/ghost-two/"]);
    expect(a.removedUploads + b.removedUploads).toBe(1);

    body.end("second half\n");
    expect(await uploading).toBe("first half\nsecond half\n".length);
    expect(files(live)).toEqual(["code.tar.gz", "env.sh", "logs", "logs/stdout.log", "outputs.tar.gz.upload-ba9876543210"]);
    expect(Buffer.from((await transfer.get(`${live}logs/stdout.log`))!).toString()).toBe("first half\nsecond half\n");
    expect(files("artenic/jobs/recent-done/")).toEqual(["code.tar.gz", "env.sh", "logs", "logs/stdout.log"]);
    for (const gone of ["artenic/jobs/old-done", "artenic/jobs/ghost-job", "jobs/lambda-old", "team/a/jobs/ghost-two"]) expect(files(gone)).toBeUndefined();
    expect(files("artenic/jobs/Not_A_Job/")).toEqual(["status.json"]);

    // Idempotent: the next pass finds nothing more.
    expect(await sweepJobObjects({ em: () => orm.em.fork(), spaces: [transferStoreSpace(transfer.store)], retentionMs: 7 * DAY, logger })).toEqual({ removedJobs: [], removedUploads: 0 });
    // A shorter retention reaches the recent terminal job, never the live one.
    const shorter = await sweepJobObjects({ em: () => orm.em.fork(), spaces: [transferStoreSpace(transfer.store)], retentionMs: DAY / 2, logger });
    expect(shorter.removedJobs.map((r) => r.slice(r.indexOf(": ") + 2))).toEqual(["artenic/jobs/recent-done/"]);
    expect(files(live)).toContain("code.tar.gz");
  });

  it("sweeps an empty or missing data dir without error", async () => {
    const empty = new PlatformTransfer({ root: join(dir, "nothing-here"), secret: randomBytes(32) });
    expect(await sweepJobObjects({ em: () => orm.em.fork(), spaces: [transferStoreSpace(empty.store)], retentionMs: DAY, logger })).toEqual({ removedJobs: [], removedUploads: 0 });
  });
});
