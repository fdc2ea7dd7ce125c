/**
 * Key lists bound as one query parameter travel in the request URL, which a ClickHouse server
 * caps (http_max_uri_size, 1 MiB by default): lookups split them into chunks of at most this
 * many keys and this many URL bytes (every byte counted as percent-encoded, the worst case).
 */
export const MAX_KEYS_PER_LOOKUP = 1000;
export const MAX_LOOKUP_PARAM_BYTES = 256 * 1024;

export function chunkKeys<K>(keys: readonly K[], fields: (key: K) => string[], maxKeys = MAX_KEYS_PER_LOOKUP, maxBytes = MAX_LOOKUP_PARAM_BYTES): K[][] {
  const chunks: K[][] = [];
  let chunk: K[] = [];
  let bytes = 0;
  for (const key of keys) {
    // Each tuple field is quoted and separated: allow a few bytes beyond the text itself.
    const size = fields(key).reduce((sum, field) => sum + 3 * (Buffer.byteLength(field) + 4), 0);
    if (chunk.length > 0 && (chunk.length >= maxKeys || bytes + size > maxBytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(key);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
