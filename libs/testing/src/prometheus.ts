/**
 * Sum of the samples of `name` whose labels include every pair of `labels` (Prometheus text
 * format, labels in any order); NaN when no sample matches.
 */
export function sampleSum(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  let found = false;
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const text = match[2] ?? '';
    if (!Object.entries(labels).every(([key, value]) => text.includes(`${key}="${value}"`))) continue;
    found = true;
    sum += Number(match[3]);
  }
  return found ? sum : Number.NaN;
}
