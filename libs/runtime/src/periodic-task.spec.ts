import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  it('repeats its pass, keeps going after a failing one, and stops after the pass under way', async () => {
    const errors: unknown[] = [];
    let passes = 0;
    let release: () => void = () => undefined;
    const task = new PeriodicTask(
      async () => {
        passes += 1;
        if (passes === 2) throw new Error('second pass fails');
        if (passes === 4) await new Promise<void>((resolve) => (release = resolve));
      },
      () => 1,
      (error) => errors.push(error),
    );
    task.start(0);
    while (passes < 4) await new Promise((resolve) => setTimeout(resolve, 2));
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(stopped).toBe(false);
    release();
    await stopping;
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(passes).toBe(4);
    expect(errors).toEqual([new Error('second pass fails')]);
  });

  it('stops cleanly when it never started', async () => {
    await expect(
      new PeriodicTask(
        async () => undefined,
        () => 1,
        () => undefined,
      ).stop(),
    ).resolves.toBeUndefined();
  });
});
