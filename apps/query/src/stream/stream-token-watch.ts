import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { TokenService } from '@runstream/auth';
import { Caller } from '@runstream/http';
import { StreamSink } from './run-poller';
import { RUN_STREAM_OPTIONS, RunStreamOptions } from './run-stream.options';

/** How an open stream's token is checked again; TokenService in the app, a stand-in in unit tests. */
export type VerifyToken = (token: string) => Promise<Caller | undefined>;

export const STREAM_TOKEN_VERIFIER = Symbol('STREAM_TOKEN_VERIFIER');

/** The app's verifier: the auth guard's own cached check, so a revocation is seen as the guard sees it. */
export const streamTokenVerifier = {
  provide: STREAM_TOKEN_VERIFIER,
  useFactory:
    (tokens: TokenService): VerifyToken =>
    (token) =>
      tokens.verify(token),
  inject: [TokenService],
};

interface Watched {
  tokenId: string;
  sinks: Set<StreamSink>;
}

/**
 * A stream outlives the request that opened it, so its token is checked again every
 * tokenCheckMs while it is open, and its streams end once the token no longer verifies
 * (revoked). A check that cannot reach the token table keeps the streams: the next one decides.
 */
@Injectable()
export class StreamTokenWatch implements OnModuleDestroy {
  private readonly watched = new Map<string, Watched>();
  private timer?: NodeJS.Timeout;
  private checking = false;

  constructor(
    @Inject(STREAM_TOKEN_VERIFIER) private readonly verify: VerifyToken,
    @Inject(RUN_STREAM_OPTIONS) private readonly options: RunStreamOptions,
  ) {}

  /** Watches one open stream's token; the returned function stops watching it. */
  watch(token: string, caller: Caller, sink: StreamSink): () => void {
    let entry = this.watched.get(token);
    if (!entry) {
      entry = { tokenId: caller.tokenId, sinks: new Set() };
      this.watched.set(token, entry);
    }
    entry.sinks.add(sink);
    this.timer ??= setInterval(() => void this.check(), this.options.tokenCheckMs).unref();
    return () => {
      entry.sinks.delete(sink);
      if (entry.sinks.size === 0 && this.watched.get(token) === entry) this.watched.delete(token);
      if (this.watched.size === 0) this.stop();
    };
  }

  onModuleDestroy(): void {
    this.stop();
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      for (const [token, entry] of [...this.watched]) {
        let caller: Caller | undefined;
        try {
          caller = await this.verify(token);
        } catch {
          continue;
        }
        if (caller?.tokenId === entry.tokenId) continue;
        for (const sink of [...entry.sinks]) sink.end();
      }
    } finally {
      this.checking = false;
    }
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
