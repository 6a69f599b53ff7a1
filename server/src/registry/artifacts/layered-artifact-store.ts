import type { ArtifactStore } from "./artifact-store.js";

/**
 * The configured store for new artifacts, over an earlier one that still holds older artifacts
 * (the local directory after a switch to S3): every new upload goes to `current`, while artifacts
 * recorded under `earlier` stay readable and deletable where they are.
 */
export function layerArtifactStores(current: ArtifactStore, earlier: ArtifactStore): ArtifactStore {
  const storeOf = (uri: string): ArtifactStore => (earlier.owns(uri) && !current.owns(uri) ? earlier : current);
  return {
    begin: () => current.begin(),
    read: (uri, chunkSize, signal) => storeOf(uri).read(uri, chunkSize, signal),
    readAll: (uri) => storeOf(uri).readAll(uri),
    delete: (uri) => storeOf(uri).delete(uri),
    owns: (uri) => current.owns(uri) || earlier.owns(uri),
    canRead: (uri) => current.canRead(uri) || earlier.canRead(uri),
    ...(current.presignGet ? { presignGet: (uri: string) => (current.canRead(uri) ? current.presignGet!(uri) : Promise.reject(new Error(`artifact ${uri} cannot be pre-signed`))) } : {}),
  };
}
