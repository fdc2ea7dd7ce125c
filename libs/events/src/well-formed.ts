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
