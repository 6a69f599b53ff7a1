import { createContextKey } from "@connectrpc/connect";
import type { EntityManager } from "@mikro-orm/core";
import type { Principal } from "../auth/principal.js";

/** The authenticated caller; set by the auth interceptor before any handler runs. */
export const kPrincipal = createContextKey<Principal | undefined>(undefined, { description: "principal" });
/** The request id: the caller's `x-request-id` when well-formed, else a fresh one. */
export const kRequestId = createContextKey<string>("", { description: "request id" });
/**
 * The unit of work of this call: one EntityManager fork per RPC, streams included, made on first use
 * (a fork costs several microseconds, and many calls, such as predictions, never touch the database).
 */
export const kEntityManager = createContextKey<(() => EntityManager) | undefined>(undefined, { description: "entity manager" });
