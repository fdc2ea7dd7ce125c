import { OutcomeNotice } from '../outcomes/outcome-notice';
import { formatBytes, formatDuration } from './slack-format';
import { SlackBlock, SlackMessage, slackMessage, SLACK_LIMITS, SlackTextObject } from './slack-message';

function notice(overrides: Partial<OutcomeNotice> = {}): OutcomeNotice {
  return {
    outcome: 'failure',
    occurredAt: '2025-03-01T02:00:07.000Z',
    orgId: 'acme',
    projectId: 'warehouse',
    job: { id: 'job-1', name: 'nightly-refresh' },
    run: {
      id: 'run-1',
      project_id: 'warehouse',
      job_id: 'job-1',
      job_name: 'nightly-refresh',
      cronjob_name: '',
      job_type: 'batch',
      status: 'failed',
      start_time: '2025-03-01T02:00:00.000Z',
      end_time: '2025-03-01T02:02:05.000Z',
      duration_seconds: 125,
      triggered_by: 'schedule',
      created_at: '2025-03-01T02:00:00.000Z',
      updated_at: '2025-03-01T02:02:05.000Z',
      namespace: 'runstream-acme',
    },
    durationSeconds: 125,
    errorSummary: 'relation "orders" does not exist',
    telemetrySummary: { rowsLoaded: 1_234_567, bytesLoaded: 1_234_567 },
    runUrl: 'https://runstream.example/runs/run-1?tab=logs&x=1',
    ...overrides,
  };
}

function fieldTexts(message: SlackMessage): string[] {
  const section = message.blocks.find((block): block is Extract<SlackBlock, { type: 'section' }> => block.type === 'section' && block.fields !== undefined);
  return section?.fields?.map((field) => field.text) ?? [];
}

function allTexts(message: SlackMessage): SlackTextObject[] {
  return message.blocks.flatMap((block) => {
    if (block.type === 'header') return [block.text];
    if (block.type === 'context') return block.elements;
    return [...(block.text ? [block.text] : []), ...(block.fields ?? [])];
  });
}

function errorSection(message: SlackMessage): string | undefined {
  return message.blocks.flatMap((block) => (block.type === 'section' && block.text ? [block.text.text] : [])).find((text) => text.startsWith('*Error*'));
}

function expectWithinLimits(message: SlackMessage): void {
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
  for (const block of message.blocks) {
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    if (block.type === 'section') {
      expect((block.fields ?? []).length).toBeLessThanOrEqual(SLACK_LIMITS.sectionFields);
      for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
    if (block.type === 'context') {
      expect(block.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
      for (const element of block.elements) expect(element.text.length).toBeLessThanOrEqual(SLACK_LIMITS.contextText);
    }
  }
}

describe('slackMessage', () => {
  it('sends to the given channel with a plain fallback line and a header naming status and job', () => {
    const message = slackMessage(notice(), '#data-alerts');
    expect(message.channel).toBe('#data-alerts');
    expect(message.text).toBe(':x: Run failed: nightly-refresh (warehouse)');
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: ':x: Run failed: nightly-refresh', emoji: true } });
    expectWithinLimits(message);
  });

  it('shows status, job, project, duration, rows and bytes as fields', () => {
    expect(fieldTexts(slackMessage(notice(), '#a'))).toEqual([
      '*Status*\nFailed',
      '*Job*\nnightly-refresh',
      '*Project*\nwarehouse',
      '*Duration*\n2m 5s',
      '*Rows*\n1,234,567',
      '*Bytes*\n1.2 MB',
    ]);
  });

  it('names a failure status other than failed, and words each outcome', () => {
    expect(fieldTexts(slackMessage(notice({ run: { ...notice().run, status: 'partial' } }), '#a'))[0]).toBe('*Status*\nFailed (partial)');
    const success = slackMessage(notice({ outcome: 'success', errorSummary: '', run: { ...notice().run, status: 'success' } }), '#a');
    expect(success.text).toBe(':white_check_mark: Run succeeded: nightly-refresh (warehouse)');
    expect(fieldTexts(success)[0]).toBe('*Status*\nSucceeded');
    const started = slackMessage(
      notice({ outcome: 'started', errorSummary: '', durationSeconds: null, telemetrySummary: undefined, run: { ...notice().run, status: 'running' } }),
      '#a',
    );
    expect(started.text).toMatch(/^:arrow_forward: Run started: /);
    expect(fieldTexts(started).map((text) => text.split('\n')[0])).toEqual(['*Status*', '*Job*', '*Project*']);
    expect(slackMessage(notice({ outcome: 'cancelled', run: { ...notice().run, status: 'cancelled' } }), '#a').text).toMatch(
      /^:no_entry_sign: Run cancelled: /,
    );
  });

  it('leaves rows and bytes out when the run reported none, or reported them as non-numbers', () => {
    const labels = (summary: OutcomeNotice['telemetrySummary']): string[] =>
      fieldTexts(slackMessage(notice({ telemetrySummary: summary }), '#a')).map((text) => text.split('\n')[0]);
    expect(labels(undefined)).toEqual(['*Status*', '*Job*', '*Project*', '*Duration*']);
    expect(labels({ progress: 0.5, rowsLoaded: 'many', bytes: null })).toEqual(['*Status*', '*Job*', '*Project*', '*Duration*']);
  });

  it('recognises the snake_case and short telemetry keys, preferring the reference spelling', () => {
    const fields = (summary: OutcomeNotice['telemetrySummary']): string[] => fieldTexts(slackMessage(notice({ telemetrySummary: summary }), '#a')).slice(4);
    expect(fields({ rows_loaded: 10, bytes_loaded: 2048 })).toEqual(['*Rows*\n10', '*Bytes*\n2.0 KB']);
    expect(fields({ rows: 3, bytes: 999 })).toEqual(['*Rows*\n3', '*Bytes*\n999 B']);
    expect(fields({ rows: 3, rowsLoaded: 7 })).toEqual(['*Rows*\n7']);
  });

  it('puts the error summary in a code block, escaped for mrkdwn', () => {
    const message = slackMessage(notice({ errorSummary: 'a < b && c > d' }), '#a');
    expect(errorSection(message)).toBe('*Error*\n```a &lt; b &amp;&amp; c &gt; d```');
  });

  it('keeps backticks in the summary from closing the code block', () => {
    const text = errorSection(slackMessage(notice({ errorSummary: 'x ``` y' }), '#a'))!;
    expect(text.slice('*Error*\n```'.length, -3)).not.toContain('```');
  });

  it('has no error section when the summary is empty', () => {
    const message = slackMessage(notice({ errorSummary: '' }), '#a');
    expect(errorSection(message)).toBeUndefined();
    expect(message.blocks.map((block) => block.type)).toEqual(['header', 'section', 'context']);
  });

  it('cuts a long summary to the section limit, never through an escape or a surrogate pair', () => {
    for (const unit of ['&', 'ab', '😀', 'x<']) {
      const text = errorSection(slackMessage(notice({ errorSummary: unit.repeat(5000) }), '#a'))!;
      expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect(text.length).toBeGreaterThan(SLACK_LIMITS.sectionText - 10);
      expect(text.endsWith('…```')).toBe(true);
      const body = text.slice('*Error*\n```'.length, -'…```'.length);
      expect(body.replace(/&(amp|lt|gt);/g, '')).not.toMatch(/[&<>]/);
      expect(body).not.toMatch(/[\ud800-\udbff]$/);
    }
  });

  it('cuts a long job name to the header limit and keeps every text within its limit', () => {
    const message = slackMessage(
      notice({ job: { id: 'j', name: '<'.repeat(5000) }, projectId: 'p'.repeat(3000), runUrl: 'https://x/' + 'y'.repeat(5000) }),
      '#a',
    );
    expectWithinLimits(message);
    expect(message.blocks[0].type === 'header' && message.blocks[0].text.text.endsWith('…')).toBe(true);
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  });

  it('escapes the job name in mrkdwn but not in the plain-text header', () => {
    const message = slackMessage(notice({ job: { id: 'j', name: 'a&b <c>' } }), '#a');
    expect(message.blocks[0].type === 'header' && message.blocks[0].text.text).toBe(':x: Run failed: a&b <c>');
    expect(fieldTexts(message)[1]).toBe('*Job*\na&amp;b &lt;c&gt;');
    expect(message.text).toBe(':x: Run failed: a&amp;b &lt;c&gt; (warehouse)');
  });

  it('links "View run" to the run URL with & escaped and | > kept out of the link', () => {
    const context = (url: string): string => {
      const block = slackMessage(notice({ runUrl: url }), '#a').blocks.at(-1)!;
      return block.type === 'context' ? block.elements[0].text : '';
    };
    expect(context('https://runstream.example/runs/run-1?tab=logs&x=1')).toBe(
      '<https://runstream.example/runs/run-1?tab=logs&amp;x=1|View run> · Run `run-1` · 2025-03-01T02:00:07.000Z',
    );
    expect(context('https://x/a|b>c')).toMatch(/^<https:\/\/x\/a%7Cb%3Ec\|View run>/);
    expect(context('javascript:alert(1)')).not.toContain('View run');
    expect(allTexts(slackMessage(notice(), '#a')).every((text) => text.type === 'plain_text' || !/<(?!https?:)/.test(text.text))).toBe(true);
  });
});

describe('formatDuration and formatBytes', () => {
  it.each([
    [0.42, '0.4s'],
    [2.5, '2.5s'],
    [45, '45s'],
    [125, '2m 5s'],
    [3_725, '1h 2m 5s'],
    [97_500, '1d 3h 5m'],
  ])('formats %p seconds as %p', (seconds, text) => expect(formatDuration(seconds)).toBe(text));

  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1_000, '1.0 KB'],
    [999_950, '1.0 MB'],
    [1_234_567, '1.2 MB'],
    [5e12, '5.0 TB'],
  ])('formats %p bytes as %p', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});
