/** The top-level field of a JSON body whose encoding is largest, with its size in bytes. */
export function largestField(body: unknown): { field: string; bytes: number } | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  let largest: { field: string; bytes: number } | undefined;
  for (const [field, value] of Object.entries(body)) {
    const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
    if (!largest || bytes > largest.bytes) largest = { field, bytes };
  }
  return largest;
}
