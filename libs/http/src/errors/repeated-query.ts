import { badRequest } from './fastify-errors';

/**
 * No route takes a repeated query parameter, so `?limit=1&limit=2` is refused up front with
 * a 400 naming it, rather than reaching a handler as an unexpected array.
 */
export async function rejectRepeatedQueryParams(request: { query: unknown }): Promise<void> {
  const query = request.query;
  if (typeof query !== 'object' || query === null) return;
  const repeated = Object.entries(query).find(([, value]) => Array.isArray(value));
  if (repeated) throw badRequest(repeated[0], 'given more than once; send it once');
}
