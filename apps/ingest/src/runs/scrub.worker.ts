/** Runs in ingest's scrub worker thread (text-scrubber.ts): the same rules, off the event loop. */
import { scrub } from './scrub';

export default function scrubTexts(texts: string[]): string[] {
  return texts.map(scrub);
}
