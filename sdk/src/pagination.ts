/** The shape every List request shares (AIP-158). */
export interface PageRequest {
  pageToken?: string;
  pageSize?: number;
}
/** The shape every List response shares (AIP-158). */
export interface PageResponse {
  nextPageToken: string;
}

/** The element type of the repeated fields of a List response (the listed resources). */
export type PageItem<Res> = {
  [K in Exclude<keyof Res, `$${string}`>]-?: Res[K] extends readonly (infer E)[] ? E : never;
}[Exclude<keyof Res, `$${string}`>];

/**
 * Iterates every item of a List method, following `next_page_token` until it is empty. Pages are
 * fetched lazily, one at a time, as the loop consumes them; breaking out stops fetching.
 *
 * `items` picks the resources out of a response; without it, the response's repeated field is used
 * (every List response has exactly one).
 *
 * @example
 * for await (const model of paginate((r) => artenic.registry.listModels(r), { pageSize: 100 })) {
 *   console.log(model.name);
 * }
 */
export function paginate<Req extends PageRequest, Res extends PageResponse, Item = PageItem<Res>>(
  list: (request: Req) => Promise<Res>,
  request: Req,
  items?: (response: Res) => readonly Item[],
): AsyncGenerator<Item> {
  const pick = items ?? ((response: Res) => repeatedField(response) as unknown as readonly Item[]);
  return (async function* () {
    let pageToken = request.pageToken ?? "";
    do {
      const response = await list({ ...request, pageToken });
      yield* pick(response);
      pageToken = response.nextPageToken;
    } while (pageToken !== "");
  })();
}

function repeatedField(response: object): readonly unknown[] {
  const arrays = Object.values(response).filter((v): v is unknown[] => Array.isArray(v));
  if (arrays.length !== 1) throw new TypeError("paginate: the response has no single repeated field; pass `items`");
  return arrays[0]!;
}
