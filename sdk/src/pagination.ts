/** The shape every List request and response shares (AIP-158). */
interface PageRequest {
  pageToken?: string;
  pageSize?: number;
}
interface PageResponse {
  nextPageToken: string;
}

/**
 * Iterates every item of a List method, following `next_page_token`.
 *
 * @example
 * for await (const model of paginate((r) => artenic.registry.listModels(r), {}, (r) => r.models)) { … }
 */
export async function* paginate<Req extends PageRequest, Res extends PageResponse, Item>(
  list: (request: Req) => Promise<Res>,
  request: Req,
  items: (response: Res) => readonly Item[],
): AsyncGenerator<Item> {
  let pageToken = request.pageToken ?? "";
  do {
    const response = await list({ ...request, pageToken });
    yield* items(response);
    pageToken = response.nextPageToken;
  } while (pageToken !== "");
}
