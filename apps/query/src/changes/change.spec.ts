import { Change, compareChanges, compareUtf8 } from './change';

const samples = ['', 'a', 'a\u0000b', 'ab', 'é', 'z', '\ue000', '\uff00', '\uff5e', '😀', '😀a', '𝔸', 'model_1', 'model_10', 'model_2'];

describe('compareUtf8', () => {
  it('orders strings as their UTF-8 bytes, as ClickHouse does (surrogate pairs after U+E000–U+FFFF)', () => {
    const byBytes = [...samples].sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8')));
    expect([...samples].sort(compareUtf8)).toEqual(byBytes);
    // Plain UTF-16 order would put the emoji before U+FF00: the case this exists for.
    expect([...samples].sort()).not.toEqual(byBytes);
  });
});

describe('compareChanges', () => {
  const execution = (model: string, id: string): Change => ({ partition: 0, offset: 5n, key: ['1', model, id], body: undefined }) as unknown as Change;

  it('orders one event’s executions by model, then id, column by column like the SQL (a NUL in a name changes nothing)', () => {
    const changes = [execution('a\u0000b', ''), execution('a', 'b'), execution('\uff00', 'x'), execution('😀', 'x'), execution('a', '')];
    expect(changes.sort(compareChanges).map((change) => change.key.slice(1).join('|'))).toEqual(['a|', 'a|b', 'a\u0000b|', '\uff00|x', '😀|x']);
  });
});
