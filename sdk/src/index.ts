export { createArtenicClient, apiKeyInterceptor, type ArtenicClient, type ArtenicClientOptions } from "./client.js";
export { ArtenicError, withArtenicErrors } from "./errors.js";
export { paginate } from "./pagination.js";
