import { quantityValue, resourceProblems } from './resource-rules';

describe('quantityValue', () => {
  it.each<[string, number]>([
    ['500m', 0.5],
    ['2', 2],
    ['0.5', 0.5],
    ['1k', 1000],
    ['1G', 1e9],
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
  ])('reads %s as %d', (quantity, value) => {
    expect(quantityValue(quantity)).toBe(value);
  });

  it('reads nothing that is not a quantity', () => {
    expect(quantityValue('two')).toBeUndefined();
    expect(quantityValue('1Gb')).toBeUndefined();
  });
});

describe('resourceProblems', () => {
  it('refuses a request above its limit, naming the request, across suffixes', () => {
    expect(resourceProblems({ requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '1500m', memory: '1024Mi' } })).toEqual([
      { field: 'resources.requests.cpu', reasons: ['must not exceed resources.limits.cpu (2 > 1500m)'] },
    ]);
    expect(resourceProblems({ requests: { memory: '2G' }, limits: { memory: '1Gi' } }).map((p) => p.field)).toEqual(['resources.requests.memory']);
  });

  it('accepts equal or lower requests, and a request or a limit alone', () => {
    expect(resourceProblems({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '0.5', memory: '2Gi' } })).toEqual([]);
    expect(resourceProblems({ requests: { cpu: '64' } })).toEqual([]);
    expect(resourceProblems({ limits: { memory: '1Mi' } })).toEqual([]);
    expect(resourceProblems({})).toEqual([]);
  });
});
