import { jobResourcesOf, jobWebhookEventsOf, jsonObjectOf, stringMapOf } from './json-columns';

describe('JSON text columns, read at the boundary', () => {
  it('reads an object, and anything else (empty, not JSON, an array, a scalar) as {}', () => {
    expect(jsonObjectOf('{"rowsLoaded":5,"phase":"load"}')).toEqual({ rowsLoaded: 5, phase: 'load' });
    for (const text of ['', 'not json', '[1,2]', '42', 'null']) expect(jsonObjectOf(text)).toEqual({});
  });

  it('keeps only the string values of an environment or header map', () => {
    expect(stringMapOf('{"A":"1","B":2,"C":null,"D":{"x":"y"}}')).toEqual({ A: '1' });
  });

  it('reads the resources as stored, key order included (the jobs fold compares specs as text)', () => {
    const stored = '{"requests":{"memory":"1Gi","cpu":"500m"},"limits":{}}';
    expect(JSON.stringify(jobResourcesOf(stored))).toBe(stored);
    expect(jobResourcesOf('[]')).toEqual({});
  });

  it('keeps the webhook outcomes a job may subscribe to', () => {
    expect(jobWebhookEventsOf(['success', 'exploded', 'failure'])).toEqual(['success', 'failure']);
  });
});
