import { loadEnv } from '@runstream/config';
import { WebhooksEnv } from './webhooks.env';

describe('WebhooksEnv', () => {
  it('defaults to refusing private URLs and a 10 s timeout', () => {
    expect(loadEnv({ webhooks: WebhooksEnv }, {}).webhooks).toMatchObject({ NOTIFIER_ALLOW_PRIVATE_URLS: false, NOTIFIER_WEBHOOK_TIMEOUT_MS: 10_000 });
  });

  it('reads the flag as true or false and refuses anything else', () => {
    expect(loadEnv({ webhooks: WebhooksEnv }, { NOTIFIER_ALLOW_PRIVATE_URLS: 'true' }).webhooks.NOTIFIER_ALLOW_PRIVATE_URLS).toBe(true);
    expect(loadEnv({ webhooks: WebhooksEnv }, { NOTIFIER_ALLOW_PRIVATE_URLS: 'false' }).webhooks.NOTIFIER_ALLOW_PRIVATE_URLS).toBe(false);
    expect(() => loadEnv({ webhooks: WebhooksEnv }, { NOTIFIER_ALLOW_PRIVATE_URLS: 'yes' })).toThrow(/NOTIFIER_ALLOW_PRIVATE_URLS/);
    expect(() => loadEnv({ webhooks: WebhooksEnv }, { NOTIFIER_WEBHOOK_TIMEOUT_MS: '0' })).toThrow(/NOTIFIER_WEBHOOK_TIMEOUT_MS/);
  });
});
