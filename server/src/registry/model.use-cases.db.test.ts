import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MikroORM } from "@mikro-orm/core";
import { initOrm, migrate, type Orm } from "../platform/db/orm.js";
import { OutboxEventEntity } from "../platform/outbox/outbox-event.entity.js";
import type { UseCaseContext } from "../platform/context.js";
import { AppError } from "../platform/errors/app-error.js";
import { createModel, createModelVersion, setAlias, transitionStage } from "./model.use-cases.js";
import { ModelEntity } from "./model.entity.js";

describe("registry use cases on an in-memory database", () => {
  let orm: Orm;
  const ctx = (): UseCaseContext => ({ em: orm.em.fork(), actor: { name: "apiKeys/tester", requestId: "req-1" }, now: () => new Date("2026-11-26T12:00:00Z") });

  beforeAll(async () => {
    orm = await initOrm({ kind: "sqlite", path: ":memory:" });
    await migrate(orm);
  });
  afterAll(async () => orm?.close());

  it("writes each change's event in the same transaction, with actor and request id", async () => {
    await createModel(ctx(), "outbox", { displayName: "", description: "", framework: "", labels: {} });
    await createModelVersion(ctx(), "outbox", { description: "", labels: {}, metrics: {}, params: {}, sourceTrainingJob: "" });
    await transitionStage(ctx(), "outbox", 1, "staging", "ready", false, "");
    await setAlias(ctx(), "outbox", "champion", 1, "best so far");
    const events = await orm.em.fork().find(OutboxEventEntity, { resource: { $like: "models/outbox%" } }, { orderBy: { id: "asc" } });
    expect(events.map((e) => e.type)).toEqual([
      "registry.model.created",
      "registry.model_version.created",
      "registry.model_version.stage_changed",
      "registry.model.alias_set",
    ]);
    expect(events.every((e) => e.actor === "apiKeys/tester" && e.requestId === "req-1")).toBe(true);
    expect(events[2]?.data).toMatchObject({ from: "none", to: "staging", reason: "ready" });
  });

  it("leaves neither the change nor its event behind when the transaction fails", async () => {
    const before = await orm.em.fork().count(OutboxEventEntity);
    const failing = ctx();
    await expect(
      failing.em.transactional(async (em) => {
        await createModel({ ...failing, em }, "rolled-back", { displayName: "", description: "", framework: "", labels: {} });
        await em.flush();
        throw new AppError("aborted", "TEST", "abort on purpose");
      }),
    ).rejects.toThrow("abort on purpose");
    expect(await orm.em.fork().count(OutboxEventEntity)).toBe(before);
    expect(await orm.em.fork().count(ModelEntity, { id: "rolled-back" })).toBe(0);
  });

  it("is the ORM the migrations created (no pending schema changes)", async () => {
    expect(orm).toBeInstanceOf(MikroORM);
    expect((await orm.schema.getUpdateSchemaSQL({ wrap: false })).trim()).toBe("");
  });
});
