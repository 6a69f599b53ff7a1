import { create, toBinary } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  CreateEnsembleRequestSchema,
  CreateEnsembleResponseSchema,
  EnsembleService,
  MemberTrainingJobSchema,
  PrunedMemberSchema,
  TrainEnsembleMembersRequestSchema,
  TrainEnsembleMembersResponseSchema,
} from "@artenic/gen/artenic/ensemble/v1/ensemble_service_pb";
import { useCaseContext } from "../platform/context.js";
import { runIdempotent } from "../platform/idempotency/idempotency.js";
import { resolveUpdateMask } from "../platform/update-mask.js";
import { invalidField } from "../platform/errors/app-error.js";
import {
  addEnsembleMember,
  createEnsemble,
  deleteEnsemble,
  getEnsemble,
  getEnsembleSnapshot,
  listEnsembles,
  listEnsembleSnapshots,
  notifyAfterCommit,
  pruneEnsembleMembers,
  removeEnsembleMember,
  restoreEnsembleSnapshot,
  checkTrainingRequest,
  dispatchTrainingGroup,
  stateOf,
  updateEnsemble,
  type ConfigChanges,
  type EnsembleDeps,
} from "./ensemble.use-cases.js";
import {
  autoEvolveFromProto,
  autoPruneFromProto,
  configFromProto,
  fallbackFromProto,
  memberTimeoutFromProto,
  membersFromProto,
  metaModelFromProto,
  parseEnsembleName,
  parseSnapshotName,
  settingsFromProto,
  strategyFromProto,
  templateFromProto,
  toEnsembleProto,
  toMemberProto,
  toSnapshotProto,
} from "./ensemble.mapper.js";
import { parseVersionName, versionName } from "../registry/index.js";
import type { EnsembleEntity } from "./ensemble.entity.js";
import type { StrategySettings } from "./ensemble-state.js";
import { ensembleName } from "./ensemble-state.js";
import { trainingNotAvailable } from "./ensemble.errors.js";

const UPDATABLE = [
  "display_name",
  "description",
  "labels",
  "members",
  "strategy",
  "strategy_config",
  "strategy_config.dynamic_weighting",
  "strategy_config.majority_vote",
  "strategy_config.stacking",
  "strategy_config.meta_learner",
  "member_timeout",
  "quorum",
  "fallback",
  "auto_prune",
  "auto_evolve",
] as const;

const proto = (e: EnsembleEntity) => toEnsembleProto(stateOf(e));

/** `artenic.ensemble.v1.EnsembleService`: ensembles, their members, snapshots and pruning. */
export function createEnsembleServiceHandler(deps: EnsembleDeps): ServiceImpl<typeof EnsembleService> {
  return {
    async createEnsemble(req, ctx) {
      const uc = useCaseContext(ctx);
      const config = configFromProto(req.ensemble!, "ensemble.");
      return runIdempotent(
        uc.em,
        { scope: `${uc.actor.name}/CreateEnsemble`, requestId: req.requestId, request: toBinary(CreateEnsembleRequestSchema, req) },
        CreateEnsembleResponseSchema,
        async (em) => {
          const e = await createEnsemble({ ...uc, em }, deps, req.ensembleId, config);
          await em.flush();
          return create(CreateEnsembleResponseSchema, { ensemble: proto(e) });
        },
      );
    },

    async getEnsemble(req, ctx) {
      const { em } = useCaseContext(ctx);
      return { ensemble: proto(await getEnsemble(em, parseEnsembleName(req.name, "name"))) };
    },

    async listEnsembles(req, ctx) {
      const page = await listEnsembles(useCaseContext(ctx), req);
      return { ensembles: page.items.map(proto), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) };
    },

    async updateEnsemble(req, ctx) {
      const uc = useCaseContext(ctx);
      const e = req.ensemble!;
      const id = parseEnsembleName(e.name, "ensemble.name");
      const sc = e.strategyConfig;
      const paths = resolveUpdateMask(req.updateMask?.paths, UPDATABLE, (p) => {
        switch (p) {
          case "display_name":
            return e.displayName !== "";
          case "description":
            return e.description !== "";
          case "labels":
            return Object.keys(e.labels).length > 0;
          case "members":
            return e.members.length > 0;
          case "strategy":
            return e.strategy !== 0;
          case "strategy_config":
            return sc !== undefined;
          case "member_timeout":
            return e.memberTimeout !== undefined;
          case "quorum":
            return e.quorum !== 0;
          case "fallback":
            return e.fallback !== undefined;
          case "auto_prune":
            return e.autoPrune !== undefined;
          case "auto_evolve":
            return e.autoEvolve !== undefined;
          default:
            return false;
        }
      });
      const changes: { -readonly [K in keyof ConfigChanges]: ConfigChanges[K] } = {};
      if (paths.has("display_name")) changes.displayName = e.displayName;
      if (paths.has("description")) changes.description = e.description;
      if (paths.has("labels")) changes.labels = { ...e.labels };
      if (paths.has("members")) {
        if (e.members.length === 0) throw invalidField("ensemble.members", "an ensemble needs at least one member");
        changes.members = membersFromProto(e.members, "ensemble.members");
      }
      if (paths.has("strategy")) changes.strategy = strategyFromProto(e.strategy, "ensemble.strategy");
      const whole = paths.has("strategy_config");
      const settings: Partial<{ -readonly [K in keyof StrategySettings]: StrategySettings[K] }> = {};
      const parsed = settingsFromProto(sc);
      if (whole || paths.has("strategy_config.dynamic_weighting")) settings.dynamicWeighting = parsed.dynamicWeighting;
      if (whole || paths.has("strategy_config.majority_vote")) settings.majorityVote = parsed.majorityVote;
      if (whole || paths.has("strategy_config.stacking")) settings.stacking = parsed.stacking;
      if (Object.keys(settings).length > 0) changes.strategySettings = settings;
      if (whole || paths.has("strategy_config.meta_learner")) changes.metaModelVersion = metaModelFromProto(sc, "ensemble.strategy_config.meta_learner.meta_model_version");
      if (paths.has("member_timeout")) changes.memberTimeoutMs = memberTimeoutFromProto(e.memberTimeout);
      if (paths.has("quorum")) changes.quorum = e.quorum;
      if (paths.has("fallback")) changes.fallback = fallbackFromProto(e.fallback, "ensemble.fallback");
      if (paths.has("auto_prune")) changes.autoPrune = autoPruneFromProto(e.autoPrune);
      if (paths.has("auto_evolve")) changes.autoEvolve = autoEvolveFromProto(e.autoEvolve, "ensemble.auto_evolve");
      const updated = await updateEnsemble(uc, deps, id, changes, req.reason, e.etag);
      notifyAfterCommit(deps, id);
      return { ensemble: proto(updated) };
    },

    async deleteEnsemble(req, ctx) {
      const id = parseEnsembleName(req.name, "name");
      await deleteEnsemble(useCaseContext(ctx), deps, id, req.etag);
      notifyAfterCommit(deps, id);
      return {};
    },

    async addEnsembleMember(req, ctx) {
      const id = parseEnsembleName(req.name, "name");
      const m = req.member!;
      const e = await addEnsembleMember(useCaseContext(ctx), deps, id, { modelVersion: m.modelVersion, weight: m.weight }, req.reason, req.etag);
      notifyAfterCommit(deps, id);
      return { ensemble: proto(e) };
    },

    async removeEnsembleMember(req, ctx) {
      const id = parseEnsembleName(req.name, "name");
      const { modelId, number } = parseVersionName(req.modelVersion, "model_version");
      const e = await removeEnsembleMember(useCaseContext(ctx), deps, id, versionName(modelId, number), req.reason, req.etag);
      notifyAfterCommit(deps, id);
      return { ensemble: proto(e) };
    },

    async listEnsembleSnapshots(req, ctx) {
      const page = await listEnsembleSnapshots(useCaseContext(ctx), parseEnsembleName(req.parent, "parent"), req);
      return { snapshots: page.items.map(toSnapshotProto), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) };
    },

    async getEnsembleSnapshot(req, ctx) {
      const { ensembleId, version } = parseSnapshotName(req.name, "name");
      return { snapshot: toSnapshotProto(await getEnsembleSnapshot(useCaseContext(ctx).em, ensembleId, version)) };
    },

    async restoreEnsembleSnapshot(req, ctx) {
      const { ensembleId, version } = parseSnapshotName(req.name, "name");
      const e = await restoreEnsembleSnapshot(useCaseContext(ctx), deps, ensembleId, version, req.reason, req.etag);
      notifyAfterCommit(deps, ensembleId);
      return { ensemble: proto(e) };
    },

    async pruneEnsembleMembers(req, ctx) {
      const id = parseEnsembleName(req.name, "name");
      const result = await pruneEnsembleMembers(useCaseContext(ctx), deps, id, {
        dryRun: req.dryRun,
        weightThreshold: req.weightThreshold,
        minMembers: req.minMembers,
        reason: req.reason,
        etag: req.etag,
      });
      if (!req.dryRun && result.pruned.length > 0) notifyAfterCommit(deps, id);
      return {
        ensemble: proto(result.ensemble),
        prunedMembers: result.pruned.map((p) => create(PrunedMemberSchema, { member: toMemberProto(result.before, p.id), reason: p.reason })),
      };
    },

    async trainEnsembleMembers(req, ctx) {
      const uc = useCaseContext(ctx);
      const id = parseEnsembleName(req.name, "name");
      await checkTrainingRequest(uc.em, id, req.modelVersions);
      const training = deps.training;
      if (!training) throw trainingNotAvailable(ensembleName(id));
      // Offers are asked for before the transaction: provider calls never hold SQLite's connection.
      const template = templateFromProto(req.template!);
      const planned = await training.plan(uc.em, template);
      return runIdempotent(
        uc.em,
        { scope: `${uc.actor.name}/TrainEnsembleMembers`, requestId: req.requestId, request: toBinary(TrainEnsembleMembersRequestSchema, req) },
        TrainEnsembleMembersResponseSchema,
        async (em) => {
          const { group, jobs } = await dispatchTrainingGroup({ ...uc, em }, training, planned, id, { template, modelVersions: req.modelVersions, replaceMembers: req.replaceMembers });
          return create(TrainEnsembleMembersResponseSchema, {
            trainingGroup: group.id,
            jobs: jobs.map((j) => create(MemberTrainingJobSchema, { modelVersion: j.modelVersion, trainingJob: j.job })),
          });
        },
        uc.now,
      );
    },
  };
}
