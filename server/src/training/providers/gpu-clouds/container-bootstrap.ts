import type { PlatformTransfer } from "../../transfer/index.js";
import { jobObjectKeys } from "../remote/index.js";

/**
 * For clouds whose machine is a container of the job's image (RunPod, Vast.ai): the bootstrap
 * script is kept with the job's objects on the server, and the container's command only fetches it
 * through a signed URL (its one variable, ARTENIC_BOOTSTRAP_URL) and runs it. The pod or instance
 * definition thus holds no script and no secret; the image needs bash and curl.
 */
export const CONTAINER_BOOTSTRAP_COMMAND = 'f=$(mktemp) && curl -fsSL --retry 5 --retry-connrefused -o "$f" "$ARTENIC_BOOTSTRAP_URL" && exec bash "$f"';

/** Stores the job's bootstrap script with its objects and returns the signed URL to fetch it, valid for the run and a grace. */
export async function stageContainerBootstrap(transfer: PlatformTransfer, prefix: string, jobId: string, script: string, maxRuntimeMs: number): Promise<string> {
  const key = `${jobObjectKeys(prefix, jobId).root}bootstrap.sh`;
  await transfer.put(key, new TextEncoder().encode(script));
  return transfer.signedUrl("GET", key, maxRuntimeMs + 6 * 3600_000);
}
