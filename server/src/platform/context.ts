import type { HandlerContext } from "@connectrpc/connect";
import type { EntityManager } from "@mikro-orm/core";
import { kEntityManager, kPrincipal, kRequestId } from "./interceptors/context-keys.js";
import type { Actor } from "./outbox/outbox.js";
import { AppError } from "./errors/app-error.js";

/** What a use case needs from the call that runs it, free of any transport type. */
export interface UseCaseContext {
  /** This call's unit of work. */
  readonly em: EntityManager;
  /** Who is acting; recorded on events, history rows and created resources. */
  readonly actor: Actor;
  /** Injected clock, so tests can pin time. */
  readonly now: () => Date;
}

/** Builds the use-case context of one RPC from the values the interceptors set. */
export function useCaseContext(ctx: HandlerContext, now: () => Date = () => new Date()): UseCaseContext {
  const unitOfWork = ctx.values.get(kEntityManager);
  const principal = ctx.values.get(kPrincipal);
  if (!unitOfWork || !principal) throw new Error("the unit-of-work and auth interceptors must run before handlers");
  return {
    get em() {
      return unitOfWork();
    },
    actor: { name: principal.keyName, requestId: ctx.values.get(kRequestId) },
    now,
  };
}

/** The `etag` of a resource with an optimistic-lock revision (AIP-154). */
export function etagOf(revision: number): string {
  return `"${revision}"`;
}

/** Refuses a write whose etag names another revision than the stored one. Empty means unconditional. */
export function checkEtag(given: string, revision: number, resource: string): void {
  if (given !== "" && given !== etagOf(revision)) {
    throw new AppError("aborted", "ETAG_MISMATCH", `${resource} has changed since it was read (etag ${etagOf(revision)}, given ${given}); read it again.`, {
      name: resource,
      etag: etagOf(revision),
    });
  }
}
