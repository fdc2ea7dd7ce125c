import { randomBytes } from 'node:crypto';
import { eventually } from '@runstream/testing';
import { entityKey, EntityState, FeedFollower } from './support/feed-follower';
import { judgeFeed } from './support/feed-verdict';
import { committedMessages } from './support/flush-watch';
import { LoadDriver } from './support/load-driver';
import { killUntilMidFlush } from './support/mid-flush-kill';
import { listUpdatedAfter, OverlapPoller } from './support/overlap-poller';
import { describeReport, settle } from './support/settle';
import { StackProcess } from './support/stack-process';

const RUNS = 120;
/** Writes per run: create, running, 4 log lines, 2 execution reports, the end. */
const WRITES_PER_RUN = 9;
const SHAPE = { logLines: 4, executionReports: 2 };
const FLUSH_INTERVAL_MS = 1000;

/** The read API's current state of every run and model execution of the project. */
async function truthOf(stack: StackProcess, projectId: string): Promise<Map<string, EntityState>> {
  const truth = new Map<string, EntityState>();
  for (const [type, rows] of await listUpdatedAfter(stack.queryUrl, stack.userToken(), projectId, 0)) {
    for (const row of rows) truth.set(entityKey(type, row.id), row);
  }
  return truth;
}

/**
 * The change feed's exactly-once promise across a real crash. With embedded chDB the
 * materializer shares one process with ingest and query (chDB binds its data directory to one
 * process), so that process, as `npm start` runs it, is SIGKILLed while a materializer flush is
 * in flight: events read from Kafka, being written to ClickHouse, not committed. It restarts on
 * the same data while writers keep going and an exporter (the SDK's `changes()`, retrying while
 * the server is gone) follows the feed from the start. The reference's 60 s-overlap polling
 * runs beside it on the same data.
 */
describe('faults: the change feed across a SIGKILL of the stack process mid-flush', () => {
  const cleanups: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('an exporter following the feed holds every acknowledged change, none twice; 60 s-overlap polling discards duplicates', async () => {
    const suffix = randomBytes(3).toString('hex');
    const brokers = process.env.KAFKA_BROKERS as string;
    const kafka = { KAFKA_TOPIC_PREFIX: `test.feed_kill.${suffix}.`, MATERIALIZER_GROUP_ID: `test-feed-kill-${suffix}` };
    const stack = await StackProcess.create('feed-kill', {
      KAFKA_BROKERS: brokers,
      ...kafka,
      // A flush starts this long after its first event arrives: the kill is timed on it.
      MATERIALIZER_FLUSH_INTERVAL_MS: String(FLUSH_INTERVAL_MS),
      MATERIALIZER_MAX_RETRY_MS: '120000',
      INGEST_RUN_LOOKUP_WAIT_MS: '5000',
      INGEST_PUBLISH_DEADLINE_MS: '5000',
    });
    cleanups.push(() => stack.close());
    await stack.start();
    const projectId = 'proj_feed_kill';
    const token = stack.userToken();
    const driver = new LoadDriver({
      ingestUrl: () => stack.ingestUrl,
      token,
      tag: `feedkill-${suffix}`,
      projectId,
      runs: RUNS,
      shape: SHAPE,
      concurrency: 8,
      // Slow enough that writes continue well past the kill (and a second one, if the first came too late).
      paceMs: 80,
      attemptTimeoutMs: 20_000,
      giveUpAfterMs: 90_000,
      incarnation: () => stack.incarnation,
    });
    const follower = new FeedFollower({ queryUrl: stack.queryUrl, token, projectId, limit: 25, idleMs: 100 });
    const poller = new OverlapPoller({ queryUrl: stack.queryUrl, token, projectId, intervalMs: 500, overlapMs: 60_000 });
    cleanups.push(
      () => driver.stop(),
      () => follower.abandon(),
      () => poller.abandon(),
    );
    const started = Date.now();
    const following = follower.run();
    const polling = poller.run();
    const load = driver.run();

    // A fifth of the load acknowledged and the follower well into the feed; then the kill, inside a flush.
    await eventually(
      async () => (driver.progress().acked >= (RUNS * WRITES_PER_RUN) / 5 && follower.deliveries.length >= 50 ? true : undefined),
      'load and follower under way',
      60_000,
      10,
    );
    const deliveredAtFirstKill = follower.deliveries.length;
    const kills = await killUntilMidFlush(stack, {
      committed: () => committedMessages(brokers, kafka.MATERIALIZER_GROUP_ID, `${kafka.KAFKA_TOPIC_PREFIX}runs.events.v1`),
      progress: () => driver.progress(),
      flushIntervalMs: FLUSH_INTERVAL_MS,
      killAfterDueMs: 25,
      tries: 5,
      watchMs: 20_000,
    });
    const kill = kills[kills.length - 1];

    await load;
    const report = await settle({ queryUrl: stack.queryUrl, metricsUrl: stack.metricsUrl, token, projectId }, driver.records);
    await follower.caughtUp();
    follower.stop();
    poller.stop();
    await Promise.all([following, polling]);

    const truth = await truthOf(stack, projectId);
    const verdict = judgeFeed(follower.deliveries, follower.latest, truth, driver.records);
    const pollerMissed = [...truth].filter(([key, state]) => JSON.stringify(poller.latest.get(key)) !== JSON.stringify(state)).map(([key]) => key);
    console.log(
      [
        describeReport('change feed across a SIGKILL mid-flush', report, { kills, deliveredAtFirstKill, seconds: Math.round((Date.now() - started) / 1000) }),
        `  change feed: ${verdict.deliveries} changes delivered for ${verdict.entities} entities; missed ${verdict.missed.length}, redelivered ${verdict.redelivered.length}, repeated states ${verdict.repeatedStates.length} (+${verdict.repeatedStatesInDoubt} of entities with a write in doubt), out of order ${verdict.outOfOrder.length}; follower passes cut short ${JSON.stringify(follower.failures)}`,
        `  60 s-overlap polling (every 500 ms): ${poller.received} records received, ${poller.discarded} duplicates discarded, missed ${pollerMissed.length}, failed polls ${poller.failedPolls}`,
        ...[...verdict.missed, ...verdict.redelivered, ...verdict.repeatedStates, ...verdict.outOfOrder].slice(0, 20).map((v) => `  FEED ${v}`),
      ].join('\n'),
    );
    if (report.violations.length > 0 || verdict.missed.length > 0) console.log(stack.logTail(60));

    expect(kills.map((k) => k.exit)).toEqual(kills.map(() => 'SIGKILL'));
    // A kill landed just after a flush started, its events read from Kafka and (proved) not committed, with writes still coming.
    expect(kill.uncommitted).toBe(true);
    expect(kill.finished).toBe(false);
    // The follower met the outage and carried on from its stored cursor.
    expect(Object.values(follower.failures).reduce((sum, n) => sum + n, 0)).toBeGreaterThan(0);
    // The read API holds exactly the acknowledged writes (in-doubt ones at most as often as they may have landed)...
    expect(report.ledger.rejected).toBe(0);
    expect(report.ledger.notAcked).toBe(0);
    expect(report.violations).toEqual([]);
    expect(truth.size).toBe(report.served.runs + report.served.executions);
    // ...and the follower holds exactly that, each change once.
    expect(verdict.missed).toEqual([]);
    expect(verdict.redelivered).toEqual([]);
    expect(verdict.repeatedStates).toEqual([]);
    expect(verdict.outOfOrder).toEqual([]);
    // The reference's client misses nothing at this scale (the outage is far shorter than its 60 s overlap), and pays in duplicates.
    expect(pollerMissed).toEqual([]);
    expect(poller.discarded).toBeGreaterThan(0);
  }, 240_000);
});
