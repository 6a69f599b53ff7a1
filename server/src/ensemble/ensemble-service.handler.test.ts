import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, createRouterTransport, type Interceptor } from "@connectrpc/connect";
import { BadRequestSchema, ErrorInfoSchema } from "@artenic/gen/google/rpc/error_details_pb";
import { EnsembleService } from "@artenic/gen/artenic/ensemble/v1/ensemble_service_pb";
import {
  EnsembleChangeKind,
  EnsembleSchema,
  EnsembleStrategy,
  EnsembleTask,
  FallbackMode,
} from "@artenic/gen/artenic/ensemble/v1/ensemble_pb";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Orm } from "../platform/db/orm.js";
import { kPrincipal } from "../platform/interceptors/context-keys.js";
import { createErrorMappingInterceptor, createUnitOfWorkInterceptor, createValidateInterceptor } from "../platform/interceptors/interceptors.js";
import { createEnsembleModule } from "./index.js";
import { registerFixture, tableFeedbackSource, testOrm } from "./testing.js";

const LR = "models/iris-lr/versions/1";
const RF = "models/iris-rf/versions/1";

function failure(e: unknown) {
  const err = ConnectError.from(e);
  return { code: Code[err.code], reason: err.findDetails(ErrorInfoSchema)[0]?.reason, field: err.findDetails(BadRequestSchema)[0]?.fieldViolations[0]?.field, message: err.rawMessage };
}

const iris = (more: MessageInitShape<typeof EnsembleSchema> = {}) =>
  create(EnsembleSchema, {
    task: EnsembleTask.CLASSIFICATION,
    strategy: EnsembleStrategy.WEIGHTED_AVERAGE,
    members: [{ modelVersion: LR, weight: 2 }, { modelVersion: RF }],
    ...more,
  });

describe("EnsembleService handler (in-memory transport, real interceptors)", () => {
  let orm: Orm;
  let client: ReturnType<typeof createClient<typeof EnsembleService>>;

  beforeAll(async () => {
    orm = await testOrm();
    await registerFixture(orm, "iris-lr", "iris_logreg", 2);
    await registerFixture(orm, "iris-rf", "iris_random_forest");
    await registerFixture(orm, "digits", "digits_mlp");
    const principal: Interceptor = (next) => (req) => {
      req.contextValues.set(kPrincipal, { keyName: "apiKeys/tester", keyId: "tester", scopes: new Set(["admin"] as const), rateLimit: undefined });
      return next(req);
    };
    const { handler } = createEnsembleModule({ em: () => orm.em.fork(), feedback: tableFeedbackSource });
    const transport = createRouterTransport((router) => router.service(EnsembleService, handler), {
      router: { interceptors: [createErrorMappingInterceptor(), principal, createValidateInterceptor(), createUnitOfWorkInterceptor(orm)] },
    });
    client = createClient(EnsembleService, transport);
  });
  afterAll(async () => orm?.close());

  it("CreateEnsemble returns version 1 with defaults, and replays a retried request_id", async () => {
    const requestId = randomUUID();
    const first = await client.createEnsemble({ ensembleId: "h-create", ensemble: iris({ displayName: "Iris" }), requestId });
    const again = await client.createEnsemble({ ensembleId: "h-create", ensemble: iris({ displayName: "Iris" }), requestId });
    const e = first.ensemble!;
    expect(e.name).toBe("ensembles/h-create");
    expect(e.version).toBe(1n);
    expect(e.currentSnapshot).toBe("ensembles/h-create/snapshots/1");
    expect(e.etag).toBe('"1"');
    expect(e.memberTimeout?.seconds).toBe(30n);
    expect(e.members.map((m) => [m.modelVersion, m.weight, m.effectiveWeight])).toEqual([
      [LR, 2, 2 / 3],
      [RF, 0, 1 / 3],
    ]);
    expect(again.ensemble?.createTime).toEqual(e.createTime);
  });

  it("CreateEnsemble refuses missing members, a taken id and incompatible members with the right codes", async () => {
    expect(failure(await client.createEnsemble({ ensembleId: "h-none", ensemble: iris({ members: [] }) }).catch((x: unknown) => x)).code).toBe("InvalidArgument");
    await client.createEnsemble({ ensembleId: "h-taken", ensemble: iris() });
    expect(failure(await client.createEnsemble({ ensembleId: "h-taken", ensemble: iris() }).catch((x: unknown) => x))).toMatchObject({ code: "AlreadyExists", reason: "ENSEMBLE_ALREADY_EXISTS" });
    const mixed = failure(await client.createEnsemble({ ensembleId: "h-mixed", ensemble: iris({ members: [{ modelVersion: LR }, { modelVersion: "models/digits/versions/1" }] }) }).catch((x: unknown) => x));
    expect(mixed).toMatchObject({ code: "FailedPrecondition", reason: "ENSEMBLE_MEMBERS_INCOMPATIBLE" });
    const fallback = failure(
      await client.createEnsemble({ ensembleId: "h-fb", ensemble: iris({ fallback: { mode: FallbackMode.MODEL_VERSION } }) }).catch((x: unknown) => x),
    );
    expect(fallback).toMatchObject({ code: "InvalidArgument", field: "ensemble.fallback.model_version" });
  });

  it("UpdateEnsemble applies the mask, refuses immutable paths, and makes a snapshot per version", async () => {
    await client.createEnsemble({ ensembleId: "h-update", ensemble: iris() });
    const { ensemble } = await client.updateEnsemble({
      ensemble: iris({ name: "ensembles/h-update", strategy: EnsembleStrategy.MAJORITY_VOTE, memberTimeout: durationFromMs(250), strategyConfig: { majorityVote: { weighted: true } } }),
      updateMask: { paths: ["strategy", "member_timeout", "strategy_config.majority_vote"] },
      reason: "vote",
    });
    expect([ensemble?.version, ensemble?.strategy, ensemble?.strategyConfig?.majorityVote?.weighted, ensemble?.memberTimeout?.nanos]).toEqual([2n, EnsembleStrategy.MAJORITY_VOTE, true, 250_000_000]);
    const task = failure(await client.updateEnsemble({ ensemble: iris({ name: "ensembles/h-update" }), updateMask: { paths: ["task"] } }).catch((x: unknown) => x));
    expect(task).toMatchObject({ code: "InvalidArgument", reason: "INVALID_UPDATE_MASK" });
    const stale = failure(await client.updateEnsemble({ ensemble: iris({ name: "ensembles/h-update", etag: '"1"' }), updateMask: { paths: ["display_name"] } }).catch((x: unknown) => x));
    expect(stale).toMatchObject({ code: "Aborted", reason: "ETAG_MISMATCH" });
    const { snapshots } = await client.listEnsembleSnapshots({ parent: "ensembles/h-update" });
    expect(snapshots.map((s) => [s.version, s.changeKind, s.reason])).toEqual([
      [2n, EnsembleChangeKind.UPDATE, "vote"],
      [1n, EnsembleChangeKind.CREATE, ""],
    ]);
    expect(snapshots[1]?.ensemble?.strategy).toBe(EnsembleStrategy.WEIGHTED_AVERAGE);
  });

  it("restores a snapshot as a new version and prunes with a dry run", async () => {
    await client.createEnsemble({ ensembleId: "h-restore", ensemble: iris() });
    await client.removeEnsembleMember({ name: "ensembles/h-restore", modelVersion: RF });
    const { ensemble } = await client.restoreEnsembleSnapshot({ name: "ensembles/h-restore/snapshots/1", etag: '"2"' });
    expect([ensemble?.version, ensemble?.members.length]).toEqual([3n, 2]);
    const { snapshot } = await client.getEnsembleSnapshot({ name: "ensembles/h-restore/snapshots/3" });
    expect(snapshot?.changeKind).toBe(EnsembleChangeKind.RESTORE);
    const dry = await client.pruneEnsembleMembers({ name: "ensembles/h-restore", dryRun: true, weightThreshold: 0.9, minMembers: 1 });
    // No outcomes yet: nothing has the 50 outcomes needed to be pruned.
    expect(dry.prunedMembers).toHaveLength(0);
    expect(dry.ensemble?.version).toBe(3n);
  });

  it("lists ensembles by member", async () => {
    await client.createEnsemble({ ensembleId: "h-list", ensemble: iris({ members: [{ modelVersion: "models/iris-lr/versions/2" }, { modelVersion: RF }] }) });
    const { ensembles, totalSize } = await client.listEnsembles({ filter: 'member = "models/iris-lr/versions/2"' });
    expect(ensembles.map((e) => e.name)).toEqual(["ensembles/h-list"]);
    expect(totalSize).toBe(1n);
  });

  it("TrainEnsembleMembers answers FAILED_PRECONDITION TRAINING_NOT_AVAILABLE", async () => {
    await client.createEnsemble({ ensembleId: "h-train", ensemble: iris() });
    const e = failure(await client.trainEnsembleMembers({ name: "ensembles/h-train", template: { image: "ghcr.io/acme/train:1" } }).catch((x: unknown) => x));
    expect(e).toMatchObject({ code: "FailedPrecondition", reason: "TRAINING_NOT_AVAILABLE" });
  });

  it("DeleteEnsemble removes it", async () => {
    await client.createEnsemble({ ensembleId: "h-delete", ensemble: iris() });
    await client.deleteEnsemble({ name: "ensembles/h-delete" });
    expect(failure(await client.getEnsemble({ name: "ensembles/h-delete" }).catch((x: unknown) => x))).toMatchObject({ code: "NotFound", reason: "ENSEMBLE_NOT_FOUND" });
  });
});
