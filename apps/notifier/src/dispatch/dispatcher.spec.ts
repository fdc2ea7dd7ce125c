import { perHostLimit, receiverHost } from './dispatcher';

describe('dispatch fairness', () => {
  it('counts attempts by the host name they go to, without the port (as ClickHouse domain() groups them), and Slack as one', () => {
    expect(receiverHost({ channel: 'webhook', endpoint: 'https://hooks.example.com/a' })).toBe('hooks.example.com');
    expect(receiverHost({ channel: 'webhook', endpoint: 'http://127.0.0.1:8080/b' })).toBe('127.0.0.1');
    expect(receiverHost({ channel: 'slack', endpoint: 'slack:#alerts' })).toBe('slack');
  });

  it('lets one host hold a quarter of the slots, at least one', () => {
    expect(perHostLimit(16)).toBe(4);
    expect(perHostLimit(2)).toBe(1);
  });
});
