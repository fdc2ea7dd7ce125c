import { withRetries } from './retries';

describe('withRetries', () => {
  it('runs the work again after each delay until it succeeds, telling each retried failure', async () => {
    let calls = 0;
    const retried: unknown[] = [];
    const answer = await withRetries(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error(`failure ${calls}`);
        return 'done';
      },
      [1, 1, 1],
      (error) => retried.push((error as Error).message),
    );
    expect(answer).toBe('done');
    expect(calls).toBe(3);
    expect(retried).toEqual(['failure 1', 'failure 2']);
  });

  it('throws the last failure once the delays are spent', async () => {
    let calls = 0;
    const failing = withRetries(async () => {
      calls += 1;
      throw new Error(`failure ${calls}`);
    }, [1, 1]);
    await expect(failing).rejects.toThrow('failure 3');
    expect(calls).toBe(3);
  });
});
