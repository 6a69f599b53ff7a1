import { createHmac } from "node:crypto";
import { create, toBinary } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  AdminService,
  ListSettingsAuditResponseSchema,
  ResetSettingRequestSchema,
  ResetSettingResponseSchema,
  UpdateSettingsRequestSchema,
  UpdateSettingsResponseSchema,
} from "@artenic/gen/artenic/admin/v1/admin_service_pb";
import { useCaseContext } from "../platform/context.js";
import { invalidField } from "../platform/errors/app-error.js";
import { etagOf } from "../platform/context.js";
import { runIdempotent } from "../platform/idempotency/idempotency.js";
import { listSections, scopeExists, findSection } from "./settings-schema.js";
import type { SettingsRuntime } from "./settings-runtime.js";
import { fromValue, parseSectionName, parseSettingName, toAuditProto, toSectionProto, toSettingProto } from "./settings.mapper.js";
import { sectionNotFound } from "./settings.errors.js";
import { getSetting, listSettings, listSettingsAudit, resetSetting, sectionName, updateSettings, type SectionState, type SettingsDeps } from "./settings.use-cases.js";

export interface SettingsHandlerDeps extends SettingsDeps {
  readonly runtime: SettingsRuntime;
}

/** The runtime-settings half of `artenic.admin.v1.AdminService`. */
export function createSettingsHandler(deps: SettingsHandlerDeps): Partial<ServiceImpl<typeof AdminService>> {
  const settingsOf = (state: SectionState) => state.settings.map((s) => toSettingProto(s, state.revision, deps.runtime.restartPending(s)));
  return {
    async getSettingsSchema(req) {
      if (req.section !== "" && req.scope === "") throw invalidField("scope", "is required when section is set");
      if (req.scope !== "" && !scopeExists(req.scope)) throw sectionNotFound(sectionName(req.scope, req.section || "-"));
      if (req.section !== "" && !findSection(req.scope, req.section)) throw sectionNotFound(sectionName(req.scope, req.section));
      const sections = listSections().filter((s) => (req.scope === "" || s.scope === req.scope) && (req.section === "" || s.section === req.section));
      return { sections: sections.map(toSectionProto) };
    },
    async listSettings(req, ctx) {
      const { scope, section } = parseSectionName(req.parent, "parent");
      const states = await listSettings(useCaseContext(ctx).em, deps, scope, section);
      return { settings: states.flatMap(settingsOf), etag: section === "-" ? "" : etagOf(states[0]!.revision) };
    },
    async getSetting(req, ctx) {
      const { scope, section, key } = parseSettingName(req.name, "name");
      const { setting, revision } = await getSetting(useCaseContext(ctx).em, deps, scope, section, key);
      return { setting: toSettingProto(setting, revision, deps.runtime.restartPending(setting)) };
    },
    async updateSettings(req, ctx) {
      const uc = useCaseContext(ctx);
      const { scope, section } = parseSectionName(req.parent, "parent");
      const change = { scope, section, etag: req.etag, validateOnly: req.validateOnly, updates: req.settings.map((s) => ({ key: s.key, value: fromValue(s.value) })) };
      const run = async (tx: typeof uc.em) => {
        const state = await updateSettings(tx, { ...uc, em: tx }, deps, change);
        return create(UpdateSettingsResponseSchema, { settings: settingsOf(state), etag: etagOf(state.revision) });
      };
      if (req.validateOnly) return uc.em.transactional(run);
      // The replay table keeps a hash of the request; keyed, so that it cannot confirm a guessed secret value.
      const request = createHmac("sha256", deps.secretsKey).update(toBinary(UpdateSettingsRequestSchema, req)).digest();
      return runIdempotent(uc.em, { scope: `${uc.actor.name}/UpdateSettings`, requestId: req.requestId, request }, UpdateSettingsResponseSchema, run);
    },
    async resetSetting(req, ctx) {
      const uc = useCaseContext(ctx);
      const target = { ...parseSettingName(req.name, "name"), etag: req.etag };
      return runIdempotent(uc.em, { scope: `${uc.actor.name}/ResetSetting`, requestId: req.requestId, request: toBinary(ResetSettingRequestSchema, req) }, ResetSettingResponseSchema, async (tx) => {
        const { setting, revision } = await resetSetting(tx, { ...uc, em: tx }, deps, target);
        return create(ResetSettingResponseSchema, { setting: toSettingProto(setting, revision, deps.runtime.restartPending(setting)) });
      });
    },
    async listSettingsAudit(req, ctx) {
      const { scope, section } = parseSectionName(req.parent, "parent");
      const page = await listSettingsAudit(useCaseContext(ctx).em, scope, section, req);
      return create(ListSettingsAuditResponseSchema, { entries: page.items.map(toAuditProto), nextPageToken: page.nextPageToken, totalSize: BigInt(page.totalSize) });
    },
  };
}
