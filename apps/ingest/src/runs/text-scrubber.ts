import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { OffLoopWorker, workerScript } from '@runstream/http';
import { AppMetrics } from '@runstream/observability';
import { INGEST_CONFIG, IngestConfig } from '../config/ingest.config';
import { ScrubText } from './event-payloads';
import { scrub } from './scrub';

/** Large writes waiting for the scrub worker at once before 503 (each holds its texts, at most a body). */
const MAX_QUEUED_WRITES = 64;

/**
 * Scrubs the text of a large write on a worker thread. Scrubbing is linear, but 1 MiB of text
 * shaped to be slow costs ~40 ms, which on the event loop every other request would wait out.
 * Writes with less text than HTTP_JSON_WORKER_MIN_BYTES (the threshold large bodies are parsed
 * off the loop at) are scrubbed in place, where a round trip to the worker would cost more.
 */
@Injectable()
export class TextScrubber implements OnApplicationShutdown {
  private readonly worker: OffLoopWorker<string[], string[]>;
  private readonly minChars: number;

  constructor(@Inject(INGEST_CONFIG) config: IngestConfig, @Optional() metrics?: AppMetrics) {
    this.minChars = config.limits.jsonWorkerMinBytes;
    this.worker = new OffLoopWorker(workerScript(__dirname, 'scrub.worker'), { name: 'scrub', maxQueued: MAX_QUEUED_WRITES, waiting: 'large writes', metrics });
  }

  /** How to scrub a write with these texts: `scrub` when they are short, else a lookup of what the worker scrubbed. */
  async prepare(texts: string[]): Promise<ScrubText> {
    if (this.minChars === 0 || texts.reduce((sum, text) => sum + text.length, 0) < this.minChars) return scrub;
    const scrubbed = await this.worker.run(texts);
    const byText = new Map(texts.map((text, i) => [text, scrubbed[i]]));
    return (text) => byText.get(text) ?? scrub(text);
  }

  // After the HTTP server has stopped: a write still in flight may be waiting for the worker.
  onApplicationShutdown(): Promise<void> {
    return this.worker.close();
  }
}
