/**
 * Writes `items` with `write`; when a write is refused on its data (`isRefusal`), splits the
 * range into contiguous halves written one after the other, down to the single item the store
 * refuses, which goes to `refused` instead. Contiguous halves in sequence keep the items' order
 * (each Kafka partition's order, and every write a half makes lands before the next half reads).
 * Any other error propagates untouched: it says nothing about which item is at fault.
 */
export async function writeSplittingOnRefusal<T>(
  items: T[],
  write: (range: T[]) => Promise<void>,
  refused: (item: T, error: unknown) => Promise<void>,
  isRefusal: (error: unknown) => boolean,
  onSplit: (size: number, error: unknown) => void = () => undefined,
): Promise<void> {
  if (items.length === 0) return;
  try {
    await write(items);
  } catch (error) {
    if (!isRefusal(error)) throw error;
    if (items.length === 1) return refused(items[0], error);
    onSplit(items.length, error);
    const middle = Math.ceil(items.length / 2);
    await writeSplittingOnRefusal(items.slice(0, middle), write, refused, isRefusal, onSplit);
    await writeSplittingOnRefusal(items.slice(middle), write, refused, isRefusal, onSplit);
  }
}
