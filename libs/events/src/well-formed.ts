/** String.prototype.isWellFormed (ES2024; Node 20 has it, the ES2022 typings do not). */
interface Es2024String {
  isWellFormed(): boolean;
}

/**
 * True when `text` is well-formed UTF-16 (no unpaired surrogate): ClickHouse refuses a JSON
 * string holding one. The engine's native check, several times cheaper than a regex scan on
 * the event path, where every text field of every event is checked.
 */
export function isWellFormed(text: string): boolean {
  return (text as unknown as Es2024String).isWellFormed();
}

/** `text` cut to at most `max` UTF-16 units without splitting a surrogate pair (half a pair is not storable text). */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]) ? max - 1 : max;
  return text.slice(0, end);
}
