export type { ObjectBody, ObjectInfo, ObjectPage, ObjectReader, ObjectStore, ObjectSummary, PresignOptions, PutOptions } from "./object-store.js";
export { listAll, readObject } from "./object-store.js";
