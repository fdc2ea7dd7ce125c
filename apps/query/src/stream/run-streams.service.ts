import { Inject, Injectable, NotFoundException, OnModuleDestroy } from '@nestjs/common';
import { Caller, serviceUnavailable, tooManyRequests } from '@runstream/http';
import { ServerResponse } from 'node:http';
import { RunPoller, StreamSink, Subscriber } from './run-poller';
import { RUN_STREAM_OPTIONS, RunStreamOptions } from './run-stream.options';
import { RunStreamSource } from './run-stream.source';
import { SseResponse } from './sse-response';
import { StreamCursor } from './stream-cursor';
import { StreamTokenWatch } from './stream-token-watch';

/** A stream admitted (token slot taken, run found) but not yet attached to its response. */
export interface AdmittedStream {
  attach(raw: ServerResponse): void;
}

/**
 * Open live run streams: a budget per token, one shared poller per run, and on shutdown every
 * stream ended so the server (and a test's app.close()) never waits on an open response.
 */
@Injectable()
export class RunStreams implements OnModuleDestroy {
  private readonly pollers = new Map<string, RunPoller>();
  private readonly perToken = new Map<string, number>();
  private readonly sinks = new Set<StreamSink>();
  /** Streams holding a slot: admitted, attached or not yet. */
  private admitted = 0;

  constructor(
    private readonly source: RunStreamSource,
    @Inject(RUN_STREAM_OPTIONS) private readonly options: RunStreamOptions,
    private readonly tokenWatch: StreamTokenWatch,
  ) {}

  /** `token` is the caller's bearer token, checked again while the stream is open (StreamTokenWatch). */
  async admit(caller: Caller, token: string, runId: string, cursor: StreamCursor): Promise<AdmittedStream> {
    const open = this.perToken.get(caller.tokenId) ?? 0;
    if (open >= this.options.maxStreamsPerToken) {
      throw tooManyRequests(`this token already holds ${open} open run streams (at most ${this.options.maxStreamsPerToken}); close one or retry later`, 5);
    }
    // Many tokens together: each stream holds a socket and a share of its run's polling.
    if (this.admitted >= this.options.maxStreams) {
      throw serviceUnavailable(`the server holds ${this.admitted} open run streams, its most; retry shortly`, 5);
    }
    this.perToken.set(caller.tokenId, open + 1);
    this.admitted += 1;
    let attached = false;
    try {
      // Another organisation's run answers exactly as a missing one.
      if (!(await this.source.run(caller.orgId, runId))) throw new NotFoundException(`run ${runId} not found`);
    } catch (error) {
      this.release(caller.tokenId);
      throw error;
    }
    return {
      attach: (raw) => {
        if (attached) return;
        attached = true;
        // The client may have left, or the handler deadline answered, while the run was looked up:
        // the response's one 'close' has passed, so nothing would ever end this stream.
        if (raw.destroyed || raw.headersSent) {
          this.release(caller.tokenId);
          if (!raw.writableEnded) raw.end();
          return;
        }
        const subscriber: Subscriber = { cursor, sink: undefined as unknown as StreamSink };
        const poller = this.poller(caller.orgId, runId);
        let unwatch = (): void => undefined;
        const sink = new SseResponse(raw, this.options.heartbeatMs, this.options.reconnectMs, () => {
          this.sinks.delete(sink);
          poller.remove(subscriber);
          unwatch();
          this.release(caller.tokenId);
        });
        subscriber.sink = sink;
        this.sinks.add(sink);
        unwatch = this.tokenWatch.watch(token, caller, sink);
        poller.add(subscriber);
      },
    };
  }

  get openStreams(): number {
    return this.sinks.size;
  }

  onModuleDestroy(): void {
    for (const sink of [...this.sinks]) sink.end();
  }

  private poller(orgId: string, runId: string): RunPoller {
    const key = `${orgId}\u0000${runId}`;
    let poller = this.pollers.get(key);
    if (!poller) {
      const created = new RunPoller(this.source, orgId, runId, this.options.pollIntervalMs, () => {
        if (this.pollers.get(key) === created && created.size === 0) this.pollers.delete(key);
      });
      poller = created;
      this.pollers.set(key, poller);
    }
    return poller;
  }

  private release(tokenId: string): void {
    this.admitted -= 1;
    const open = (this.perToken.get(tokenId) ?? 1) - 1;
    if (open > 0) this.perToken.set(tokenId, open);
    else this.perToken.delete(tokenId);
  }
}
