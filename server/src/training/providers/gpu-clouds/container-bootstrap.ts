import { jobObjectKeys, type JobStorage } from "../remote/index.js";

/**
 * For clouds whose machine is a container of the job's image (RunPod, Vast.ai): the bootstrap
 * script is kept with the job's objects (platform transfer or object store), and the container's
 * command only fetches it through a URL (its one variable, ARTENIC_BOOTSTRAP_URL) and runs it. The
 * pod or instance definition thus holds no script and no secret; the image needs bash and curl.
 */
export const CONTAINER_BOOTSTRAP_COMMAND = 'f=$(mktemp) && curl -fsSL --retry 5 --retry-connrefused -o "$f" "$ARTENIC_BOOTSTRAP_URL" && exec bash "$f"';

/** Stores the job's bootstrap script with its objects and returns the URL to fetch it, valid for the run and a grace. */
export async function stageContainerBootstrap(storage: JobStorage, prefix: string, jobId: string, script: string, maxRuntimeMs: number, signal?: AbortSignal): Promise<string> {
  const key = `${jobObjectKeys(prefix, jobId).root}bootstrap.sh`;
  const expiresAt = new Date(Date.now() + maxRuntimeMs + 6 * 3600_000);
  // Asked first: a store that cannot serve a URL that long (S3's 7 days) refuses before anything is stored.
  const transfer = await storage.transfer(key, "read", expiresAt, signal);
  if (transfer.kind !== "url") throw new Error(`${storage.location}: the container bootstrap needs a URL, not a CLI transfer`);
  await storage.put(key, new TextEncoder().encode(script), signal);
  return transfer.url;
}
