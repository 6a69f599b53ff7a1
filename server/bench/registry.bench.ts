// npm run bench:registry — does listing stay fast at 100k versions?
// Seeds one model with 100,000 versions on SQLite (and on PostgreSQL when ARTENIC_TEST_DATABASE_URL is
// set), then times ListModelVersions pages through the use case: the first page is the baseline, and
// the ratios say how much slower a page deep in the keyset, a label filter and a metric order are.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initOrm, migrate, type Orm } from "../src/platform/db/orm.js";
import { listModelVersions, createModel } from "../src/registry/model.use-cases.js";
import type { UseCaseContext } from "../src/platform/context.js";
import { createScratchPostgres } from "../test/support/databases.js";
import type { DatabaseConfig } from "../src/platform/config/config.js";

const VERSIONS = 100_000;
const ctx = (orm: Orm): UseCaseContext => ({ em: orm.em.fork(), actor: { name: "bench", requestId: "" }, now: () => new Date() });

async function seed(orm: Orm): Promise<void> {
  await createModel(ctx(orm), "big", { displayName: "", description: "", framework: "", labels: {} });
  const conn = orm.em.getConnection();
  const start = Date.UTC(2026, 0, 1);
  for (let from = 0; from < VERSIONS; from += 1000) {
    const rows: unknown[] = [];
    const values: string[] = [];
    for (let i = from; i < from + 1000; i++) {
      values.push("(?, ?, '', ?, 'none', ?, '{}', '', 'other', 0, '', '', false, null, '', 'bench', ?, ?, ?, 1)");
      rows.push("big", i + 1, JSON.stringify({ team: i % 10 === 0 ? "red" : "blue" }), JSON.stringify({ accuracy: (i * 7919) % 1000 / 1000 }), new Date(start + i * 1000), new Date(start + i * 1000), new Date(start + i * 1000));
    }
    await conn.execute(
      `insert into model_version (model_id, number, description, labels, stage, metrics, params, artifact_uri, artifact_format, artifact_size_bytes, artifact_sha256, artifact_content_type, artifact_external, signature, source_training_job, creator, create_time, update_time, stage_update_time, revision) values ${values.join(",")}`,
      rows,
    );
  }
}

async function time(label: string, f: () => Promise<unknown>, runs = 20): Promise<number> {
  await f();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const p50 = samples[Math.floor(runs / 2)]!;
  console.log(`  ${label.padEnd(44)} p50 ${p50.toFixed(2)} ms`);
  return p50;
}

async function run(db: DatabaseConfig): Promise<string> {
  const orm = await initOrm(db);
  try {
    await migrate(orm);
    const t0 = performance.now();
    await seed(orm);
    console.log(`${db.kind}: seeded ${VERSIONS} versions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const page = (req: Partial<{ pageToken: string; filter: string; orderBy: string }>) =>
      listModelVersions(ctx(orm), "big", { pageSize: 50, pageToken: "", filter: "", orderBy: "", ...req });
    let deepToken = "";
    for (let i = 0, token = ""; i < 200; i++) token = deepToken = (await page({ pageToken: token })).nextPageToken;
    const first = await time("first page (create_time desc)", () => page({}));
    const deep = await time("page 201 (10,000 rows in, by token)", () => page({ pageToken: deepToken }));
    const label = await time('filter labels.team = "red"', () => page({ filter: 'labels.team = "red"' }));
    const metric = await time("order_by metrics.accuracy desc", () => page({ orderBy: "metrics.accuracy desc" }));
    return `${db.kind}-deep-vs-first=${(deep / first).toFixed(2)} ${db.kind}-label-vs-first=${(label / first).toFixed(2)} ${db.kind}-metric-vs-first=${(metric / first).toFixed(2)}`;
  } finally {
    await orm.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), "artenic-bench-"));
const parts = [await run({ kind: "sqlite", path: join(dir, "bench.sqlite") })];
if (process.env["ARTENIC_TEST_DATABASE_URL"]) {
  const pg = await createScratchPostgres("bench");
  try {
    parts.push(await run(pg.config));
  } finally {
    await pg.drop();
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`bench:registry ${parts.join(" ")}`);
