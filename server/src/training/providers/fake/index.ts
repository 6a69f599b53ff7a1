export { FakeComputeProvider, parseFakeScript, type FakeProviderOptions, type FakeScript } from "./fake-compute-provider.js";
