import { healthOf } from './health';

describe('healthOf', () => {
  const now = 1_000_000;

  it('is ok while running, and while a failure is younger than the threshold', () => {
    expect(healthOf({ status: 'running' }, now, 30_000)).toEqual({ status: 'ok', consumer: 'running' });
    expect(healthOf({ status: 'retrying', failingSince: now - 29_000, lastError: 'ECONNREFUSED' }, now, 30_000)).toMatchObject({
      status: 'ok',
      failingSeconds: 29,
      reason: 'ECONNREFUSED',
    });
  });

  it('is unavailable once writes or the Kafka client have been failing past the threshold', () => {
    expect(healthOf({ status: 'retrying', failingSince: now - 30_000, lastError: 'ECONNREFUSED' }, now, 30_000)).toEqual({
      status: 'unavailable',
      consumer: 'retrying',
      failingSeconds: 30,
      reason: 'writes have been failing for 30 s: ECONNREFUSED',
    });
    expect(healthOf({ status: 'restarting', failingSince: now - 60_000, lastError: 'broker gone' }, now, 30_000).reason).toBe(
      'the Kafka consumer has been restarting for 60 s: broker gone',
    );
  });

  it('is unavailable when the consumer gave up, stopped or has not started', () => {
    expect(healthOf({ status: 'failed', failingSince: now - 1, lastError: 'writes failed 9 times' }, now, 30_000)).toMatchObject({
      status: 'unavailable',
      reason: 'consumer gave up: writes failed 9 times',
    });
    expect(healthOf({ status: 'stopped' }, now, 30_000)).toMatchObject({ status: 'unavailable', reason: 'consumer stopped' });
    expect(healthOf({ status: 'starting' }, now, 30_000)).toMatchObject({ status: 'unavailable', reason: 'consumer starting' });
  });
});
