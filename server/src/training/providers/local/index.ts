export { LocalComputeProvider, type LocalProviderOptions } from "./local-compute-provider.js";
