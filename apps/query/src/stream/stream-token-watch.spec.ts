import { setTimeout as sleep } from 'node:timers/promises';
import { Caller } from '@runstream/http';
import { StreamSink } from './run-poller';
import { StreamTokenWatch } from './stream-token-watch';

const OPTIONS = { pollIntervalMs: 20, maxStreamsPerToken: 5, maxStreams: 100, heartbeatMs: 15_000, reconnectMs: 1_000, tokenCheckMs: 20 };
const alice = { orgId: 'org', tokenId: 'tok_alice' } as Caller;
const bob = { orgId: 'org', tokenId: 'tok_bob' } as Caller;

/** Waits for `condition` (checks run every 20 ms, so a busy machine only delays them); fails after 5 s. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !condition(); await sleep(10)) {
    if (Date.now() - started > 5_000) throw new Error(`never: ${what}`);
  }
}

function sink(): StreamSink & { ended: boolean } {
  return {
    ended: false,
    send: () => undefined,
    end() {
      this.ended = true;
    },
  };
}

describe('StreamTokenWatch', () => {
  let valid: Map<string, Caller>;
  let failing: boolean;
  let checks: number;
  let watch: StreamTokenWatch;

  beforeEach(() => {
    valid = new Map([
      ['rst_alice', alice],
      ['rst_bob', bob],
    ]);
    failing = false;
    checks = 0;
    watch = new StreamTokenWatch(async (token) => {
      checks += 1;
      if (failing) throw new Error('ClickHouse down');
      return valid.get(token);
    }, OPTIONS);
  });

  afterEach(() => watch.onModuleDestroy());

  it("ends only the revoked token's streams", async () => {
    const [a1, a2, b] = [sink(), sink(), sink()];
    watch.watch('rst_alice', alice, a1);
    watch.watch('rst_alice', alice, a2);
    watch.watch('rst_bob', bob, b);
    await sleep(60);
    expect([a1.ended, a2.ended, b.ended]).toEqual([false, false, false]);
    valid.delete('rst_alice');
    await until(() => a1.ended && a2.ended, "alice's streams ended");
    expect(b.ended).toBe(false);
  });

  it('keeps streams open while the token table cannot be read', async () => {
    const a = sink();
    watch.watch('rst_alice', alice, a);
    failing = true;
    valid.clear();
    await until(() => checks > 2, 'checks while the table cannot be read');
    expect(a.ended).toBe(false);
    failing = false;
    await until(() => a.ended, 'the stream ended once the table answers');
  });

  it('ends a stream whose token now stands for another token id', async () => {
    const a = sink();
    watch.watch('rst_alice', alice, a);
    valid.set('rst_alice', bob);
    await until(() => a.ended, 'the stream ended');
  });

  it('checks nothing once no stream is watched', async () => {
    const unwatch = watch.watch('rst_alice', alice, sink());
    await sleep(50);
    unwatch();
    const after = checks;
    await sleep(80);
    expect(checks).toBe(after);
  });
});
