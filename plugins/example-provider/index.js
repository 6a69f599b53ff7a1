// An Artenic plugin (plugin API version 1, see docs/plugins.md): the server imports this module at
// start when ARTENIC_PLUGINS names the package, checks `apiVersion` and calls `register(host)`.
import { ExampleComputeProvider } from "./example-provider.js";
import { medianStrategy } from "./median-strategy.js";

/** @type {{ apiVersion: number, register(host: any): void }} */
const plugin = {
  apiVersion: 1,
  register(host) {
    host.registerComputeProvider(new ExampleComputeProvider({ rootDir: host.dataDir, logger: host.logger }), {
      displayName: "Example (plugin)",
      description: "Runs training jobs as child processes of the server, from the example plugin package.",
      regions: ["default"],
    });
    host.registerEnsembleStrategy(medianStrategy);
    host.logger.info("example provider and MEDIAN strategy registered");
  },
};

export default plugin;
