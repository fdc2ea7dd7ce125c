import { RunWrites } from './run-writes';

describe('RunWrites', () => {
  const runs = [{ org_id: 'org1', id: 'r1' }];

  it('tells listeners before a write starts and after it settles', async () => {
    const writes = new RunWrites();
    const seen: string[] = [];
    writes.subscribe((database, written) => seen.push(`${database}:${written.map((r) => r.id).join()}`));
    await writes.around('db', runs, async () => {
      seen.push('writing');
    });
    expect(seen).toEqual(['db:r1', 'writing', 'db:r1']);
  });

  it('tells them after a failed write too, and passes the failure on', async () => {
    const writes = new RunWrites();
    const heard = jest.fn();
    writes.subscribe(heard);
    await expect(writes.around('db', runs, async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(heard).toHaveBeenCalledTimes(2);
  });

  it('stops telling a listener that unsubscribed', async () => {
    const writes = new RunWrites();
    const heard = jest.fn();
    writes.subscribe(heard)();
    await writes.around('db', runs, async () => undefined);
    expect(heard).not.toHaveBeenCalled();
    expect(writes.listening).toBe(0);
  });
});
