import { JobWebhookEvent } from '@runstream/events';
import { OutcomeNotice } from '../outcomes/outcome-notice';
import { escapeAndTruncate, escapeMrkdwn, formatBytes, formatCount, formatDuration, telemetryCounts, truncate } from './slack-format';

/** Block Kit limits for messages (docs.slack.dev/reference/block-kit/blocks). */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  /** chat.postMessage truncates `text` past 40,000; a notification line needs far less. */
  fallbackText: 3000,
} as const;

export interface SlackTextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

export type SlackBlock =
  | { type: 'header'; text: SlackTextObject & { type: 'plain_text' } }
  | { type: 'section'; text?: SlackTextObject; fields?: SlackTextObject[] }
  | { type: 'context'; elements: SlackTextObject[] };

/** The chat.postMessage body: `text` is the notification and screen-reader fallback of `blocks`. */
export interface SlackMessage {
  channel: string;
  text: string;
  blocks: SlackBlock[];
}

interface OutcomeLook {
  emoji: string;
  /** Completes "Run …". */
  verb: string;
  /** The Status field's word. */
  word: string;
  /** The run status this outcome normally has; another one is named next to the word. */
  usualStatus: string;
}

const LOOKS: Readonly<Record<JobWebhookEvent, OutcomeLook>> = {
  started: { emoji: ':arrow_forward:', verb: 'started', word: 'Started', usualStatus: 'running' },
  success: { emoji: ':white_check_mark:', verb: 'succeeded', word: 'Succeeded', usualStatus: 'success' },
  failure: { emoji: ':x:', verb: 'failed', word: 'Failed', usualStatus: 'failed' },
  cancelled: { emoji: ':no_entry_sign:', verb: 'cancelled', word: 'Cancelled', usualStatus: 'cancelled' },
};

const ERROR_HEADING = '*Error*\n';
const CODE_FENCE = '```';

function field(label: string, value: string): SlackTextObject {
  const prefix = `*${label}*\n`;
  return { type: 'mrkdwn', text: prefix + escapeAndTruncate(value, SLACK_LIMITS.fieldText - prefix.length) };
}

function statusText(notice: OutcomeNotice, look: OutcomeLook): string {
  const status = notice.run.status;
  return status && status !== look.usualStatus ? `${look.word} (${status})` : look.word;
}

function fieldsBlock(notice: OutcomeNotice, look: OutcomeLook): SlackBlock {
  const fields = [field('Status', statusText(notice, look)), field('Job', notice.job.name), field('Project', notice.projectId)];
  const duration = notice.durationSeconds === null ? '' : formatDuration(notice.durationSeconds);
  if (duration) fields.push(field('Duration', duration));
  const { rows, bytes } = telemetryCounts(notice.telemetrySummary);
  if (rows !== undefined) fields.push(field('Rows', formatCount(rows)));
  if (bytes !== undefined) fields.push(field('Bytes', formatBytes(bytes)));
  return { type: 'section', fields: fields.slice(0, SLACK_LIMITS.sectionFields) };
}

/**
 * The error summary as a code block. Three backticks in the summary would close the fence early,
 * so a zero-width space goes between them.
 */
function errorBlock(summary: string): SlackBlock {
  const unfenced = summary.replace(/`(?=`)/g, '`\u200b');
  const room = SLACK_LIMITS.sectionText - ERROR_HEADING.length - 2 * CODE_FENCE.length;
  const body = escapeAndTruncate(unfenced, room);
  return { type: 'section', text: { type: 'mrkdwn', text: `${ERROR_HEADING}${CODE_FENCE}${body}${CODE_FENCE}` } };
}

/** `<url|label>` needs the URL free of `|` and `>`; `&` is escaped like any mrkdwn text. */
function mrkdwnLink(url: string, label: string): string | undefined {
  if (!/^https?:\/\//i.test(url) || url.length > 2_000) return undefined;
  const safe = url.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C');
  return `<${safe}|${label}>`;
}

/**
 * The link to the run sits in a context block, not a button: Slack sends every button click,
 * link buttons included, to the app's interactivity URL and shows a warning when nothing answers.
 */
function contextBlock(notice: OutcomeNotice): SlackBlock {
  const parts = [mrkdwnLink(notice.runUrl, 'View run'), `Run \`${escapeMrkdwn(notice.run.id)}\``, escapeMrkdwn(notice.occurredAt)];
  const text = parts.filter((part): part is string => Boolean(part)).join(' · ');
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.contextText) }] };
}

/** The Block Kit message for one outcome of one run, to `channel` (the job's slack_channel). */
export function slackMessage(notice: OutcomeNotice, channel: string): SlackMessage {
  const look = LOOKS[notice.outcome];
  const headline = `Run ${look.verb}: ${notice.job.name}`;
  const blocks: SlackBlock[] = [
    // plain_text: no escaping; `emoji` turns the :shortcode: into the emoji.
    { type: 'header', text: { type: 'plain_text', text: truncate(`${look.emoji} ${headline}`, SLACK_LIMITS.headerText), emoji: true } },
    fieldsBlock(notice, look),
  ];
  if (notice.errorSummary.trim() !== '') blocks.push(errorBlock(notice.errorSummary));
  blocks.push(contextBlock(notice));
  const text = escapeAndTruncate(`${look.emoji} ${headline} (${notice.projectId})`, SLACK_LIMITS.fallbackText);
  return { channel, text, blocks: blocks.slice(0, SLACK_LIMITS.blocksPerMessage) };
}
