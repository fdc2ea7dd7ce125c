import { getEventListeners } from 'node:events';
import { abortableSleep } from '../src/abortable-sleep';

/** Whether `promise` has settled once pending callbacks ran, with the clock standing still (fake timers). */
async function settledWithoutTime(promise: Promise<void>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await jest.advanceTimersByTimeAsync(0);
  return settled;
}

describe('abortableSleep', () => {
  afterEach(() => jest.useRealTimers());

  it('leaves no listener on the signal once it has slept, however often it sleeps', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) await abortableSleep(1, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('wakes at once when the signal aborts, and sleeps its time when not', async () => {
    jest.useFakeTimers();
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    expect(await settledWithoutTime(abortableSleep(60_000, new AbortController().signal))).toBe(false);
    controller.abort();
    expect(await settledWithoutTime(sleeping)).toBe(true);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('does not sleep at all on a signal already aborted', async () => {
    jest.useFakeTimers();
    const controller = new AbortController();
    controller.abort();
    expect(await settledWithoutTime(abortableSleep(60_000, controller.signal))).toBe(true);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
