import { getEventListeners } from 'node:events';
import { abortableSleep } from '../src/abortable-sleep';

describe('abortableSleep', () => {
  it('leaves no listener on the signal once it has slept, however often it sleeps', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) await abortableSleep(1, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('wakes at once when the signal aborts', async () => {
    const controller = new AbortController();
    const sleeping = abortableSleep(60_000, controller.signal);
    controller.abort();
    await sleeping;
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('does not sleep at all on a signal already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    // Jest's default timeout would fail a 60 s sleep.
    await abortableSleep(60_000, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
