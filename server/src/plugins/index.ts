// The plugins capability's public surface: main.ts loads, app.ts wires, plugin authors read plugin-api.ts.
export { PLUGIN_API_VERSION, type ArtenicPlugin, type PluginEnsembleStrategy, type PluginHost, type PluginLogger, type PluginProviderInfo } from "./plugin-api.js";
export { loadPlugins, NO_PLUGINS, pluginIdOf, type LoadedPlugins, type PluginProvider, type PluginReport, type PluginStrategy } from "./plugin-loader.js";
export { createPluginsHandler } from "./plugins.handler.js";
