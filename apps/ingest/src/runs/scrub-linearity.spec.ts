/**
 * Scrubbing is linear in the text's length: for hostile shapes (the prefixes rules start at, runs
 * of the characters they scan, and random mixes of them) 10x the text takes about 10x the time,
 * where a backtracking pattern takes about 100x. Ratios of medians only, never absolute times.
 */
import fc from 'fast-check';
import { scrub } from './scrub';
import { ADVERSARIAL_UNITS, repeatTo } from './scrub-adversarial';

const SMALL = 5_000;
const LARGE = 50_000;
/** Linear is ~10 and quadratic ~100; the margin absorbs a shared machine's noise. */
const MAX_RATIO = 30;
const REPETITIONS = 3;
/** Each timed batch of the small input runs at least this long, so timer resolution and jitter stay small. */
const MIN_BATCH_MS = 3;

type Transform = (text: string) => string;

function batchMs(transform: Transform, text: string, calls: number): number {
  const started = performance.now();
  for (let i = 0; i < calls; i += 1) transform(text);
  return performance.now() - started;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** Median time for `unit` repeated to `large` characters over the time for `small`, the same number of calls on each. */
function measureGrowth(transform: Transform, unit: string, small = SMALL, large = LARGE): number {
  const [smallText, largeText] = [repeatTo(unit, small), repeatTo(unit, large)];
  let calls = 1;
  while (batchMs(transform, smallText, calls) < MIN_BATCH_MS && calls < 4096) calls *= 2;
  batchMs(transform, largeText, 1);
  const smallMs: number[] = [];
  const largeMs: number[] = [];
  for (let i = 0; i < REPETITIONS; i += 1) {
    smallMs.push(batchMs(transform, smallText, calls));
    largeMs.push(batchMs(transform, largeText, calls));
  }
  return median(largeMs) / median(smallMs);
}

/**
 * Other processes share the cores, and a burst of theirs can inflate one measurement; a shape
 * fails only if a second measurement is over the bound too (a quadratic one is ~100 every time).
 */
function growth(unit: string): number {
  const first = measureGrowth(scrub, unit);
  return first < MAX_RATIO ? first : Math.min(first, measureGrowth(scrub, unit));
}

describe('scrub time grows linearly with the text', () => {
  it.each(ADVERSARIAL_UNITS)('for %j repeated', (unit) => {
    expect(growth(unit)).toBeLessThan(MAX_RATIO);
  });

  it('for random mixes of the hostile units and separators', () => {
    const piece = fc.constantFrom(...ADVERSARIAL_UNITS, ' ', '\n', '=', ':', '"', '-', '.', '&', '/', '@');
    const unit = fc.array(piece, { minLength: 2, maxLength: 5 }).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(unit, (u) => growth(u) < MAX_RATIO),
      { numRuns: 12 },
    );
  });

  it('would have caught the patterns it replaced', () => {
    // The old key/value rule: a key prefix scanned from every start position.
    const backtracking = /\b[A-Za-z0-9_.-]*(?:password|token)\b\s*[:=]\s*\S+/gi;
    // Sizes a tenth of the others: quadratic at 100 kB takes seconds.
    expect(measureGrowth((text) => text.replace(backtracking, ''), 'a.', SMALL / 10, LARGE / 10)).toBeGreaterThan(MAX_RATIO);
  });
});
