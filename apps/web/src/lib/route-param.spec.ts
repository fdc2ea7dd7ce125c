import { routeParam } from './route-param';

describe('routeParam', () => {
  it('decodes a path parameter wouter leaves encoded, once', () => {
    // wouter decodes paths with decodeURI, which keeps %3A: a project id with ':' arrives encoded.
    expect(routeParam(decodeURI('team%3Aetl'))).toBe('team:etl');
    expect(routeParam('proj_a')).toBe('proj_a');
    expect(routeParam(undefined)).toBe('');
  });

  it('keeps a parameter that is not valid percent-encoding as it is', () => {
    expect(routeParam('100%')).toBe('100%');
  });
});
