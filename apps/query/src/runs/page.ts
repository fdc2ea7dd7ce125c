export interface PageMeta {
  total: number;
  page: number;
  limit: number;
  total_pages: number;
}

/** The pagination fields of list responses; total_pages is 0 for an empty list. */
export function pageMeta(total: number, page: number, limit: number): PageMeta {
  return { total, page, limit, total_pages: Math.ceil(total / limit) };
}

/** Row offset of a 1-based page. */
export function pageOffset(page: number, limit: number): number {
  return (page - 1) * limit;
}
