/**
 * Every item of a paginated OCI list. Each page gets a fresh request object: the SDK's own
 * iterators write `page` into the request they are given, which breaks callers that reuse it.
 */
export async function listAll<Request extends object, Item>(
  list: (request: Request & { page?: string }) => Promise<{ items: Item[]; opcNextPage?: string }>,
  request: Request,
): Promise<Item[]> {
  const items: Item[] = [];
  let page: string | undefined;
  do {
    const response = await list({ ...request, page });
    items.push(...response.items);
    page = response.opcNextPage;
  } while (page);
  return items;
}
