// The only folder that imports the AWS SDK for S3 (`@aws-sdk/client-s3`, `lib-storage`,
// `s3-request-presigner`): everything else sees the ObjectStore port.
export { createS3ObjectStore, type S3ObjectStoreOptions } from "./s3-object-store.js";
