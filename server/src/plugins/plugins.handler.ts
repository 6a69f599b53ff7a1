import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { AdminService } from "@artenic/gen/artenic/admin/v1/admin_service_pb";
import { PluginSchema, PluginState } from "@artenic/gen/artenic/admin/v1/setting_pb";
import type { PluginReport } from "./plugin-loader.js";

/** AdminService.ListPlugins: what became of every configured plugin at start. */
export function createPluginsHandler(reports: readonly PluginReport[]): Partial<ServiceImpl<typeof AdminService>> {
  return {
    async listPlugins() {
      return {
        plugins: reports.map((r) =>
          create(PluginSchema, {
            name: `plugins/${r.id}`,
            package: r.spec,
            state: r.state === "loaded" ? PluginState.LOADED : PluginState.FAILED,
            error: r.error,
            apiVersion: r.apiVersion,
            providers: r.providers.map((p) => `providers/${p}`),
            ensembleStrategies: [...r.strategies],
            loadMillis: BigInt(r.loadMs),
          }),
        ),
      };
    },
  };
}
