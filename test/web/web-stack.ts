import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { listenUrl } from '@runstream/http';
import { http, REPO_ROOT } from '@runstream/testing';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { loadControlConfig } from '../../apps/control/src/config/control.config';
import { createControlApp } from '../../apps/control/src/control.app';
import { bearer, startStack, Stack } from '../support/stack';

export const SCREENSHOTS = join(REPO_ROOT, '.data', 'screenshots', 'web');

/** Debian's chromium (CI's .ci/run installs it), or CHROMIUM_PATH. */
export function chromiumPath(): string | undefined {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path): path is string => Boolean(path && existsSync(path)));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * The bundle this suite serves, built into a directory of its own (about a second): dist/web is
 * rebuilt, and for a while missing, whenever a build runs elsewhere in the same working tree.
 */
function buildBundle(): string {
  const dir = join(REPO_ROOT, '.data', `test-web-bundle-${process.pid}`);
  execFileSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'apps/web/vite.config.mts',
      '--outDir',
      dir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: REPO_ROOT, stdio: 'inherit' },
  );
  return dir;
}

export interface WebStack {
  stack: Stack;
  control: NestFastifyApplication;
  /** The query app: web app, read API and (proxied) Jobs API on one origin. */
  url: string;
  close(): Promise<void>;
}

/**
 * `npm start`'s wiring in this process: ingest, materializer, query and control on the shared
 * broker, the query app forwarding the Jobs API to the control app (QUERY_CONTROL_URL).
 */
export async function startWebStack(): Promise<WebStack> {
  const bundle = buildBundle();
  const controlPort = await freePort();
  // The BI SQL endpoint of the query app is not what this suite looks at: off.
  const stack = await startStack('web', { QUERY_CONTROL_URL: `http://127.0.0.1:${controlPort}`, QUERY_SQL_PORT: '-1', QUERY_WEB_DIR: bundle });
  const control = await createControlApp(
    loadControlConfig({
      ...stack.env,
      CONTROL_JOBS_GROUP_ID: `${stack.env.MATERIALIZER_GROUP_ID}-control-jobs`,
      CONTROL_MATERIALIZER_GROUP_ID: stack.env.MATERIALIZER_GROUP_ID,
      CONTROL_SCHEDULER_ENABLED: 'false',
    }),
    false,
  );
  await listenUrl(control, controlPort, '127.0.0.1');
  return {
    stack,
    control,
    url: stack.queryUrl,
    close: async () => {
      await control.close();
      await stack.close();
      rmSync(bundle, { recursive: true, force: true });
    },
  };
}

/** The write API, as a runner reports. */
export class Runner {
  constructor(private readonly stack: Stack) {}

  async create(body: Record<string, unknown>): Promise<string> {
    const created = await http<{ id: string }>('POST', `${this.stack.ingestUrl}/api/elt/runs`, body, bearer(this.stack.tokens.user));
    if (created.status !== 201) throw new Error(`create run: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body.id;
  }

  async patch(runId: string, body: Record<string, unknown>): Promise<void> {
    const answer = await http('PATCH', `${this.stack.ingestUrl}/api/elt/runs/${runId}`, body, bearer(this.stack.tokens.user));
    if (answer.status !== 202) throw new Error(`patch run: ${answer.status} ${JSON.stringify(answer.body)}`);
  }

  async executions(runId: string, executions: Record<string, unknown>[]): Promise<void> {
    const answer = await http('POST', `${this.stack.ingestUrl}/api/elt/runs/${runId}/model-executions`, { executions }, bearer(this.stack.tokens.user));
    if (answer.status !== 202) throw new Error(`executions: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

/** Page console errors and uncaught exceptions, collected for the whole session. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core in the page (WCAG 2 A/AA rules): the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate("'axe' in window"))) await page.addScriptTag({ content: readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((result) => result.violations)`,
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    );
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  // --no-sandbox: CI and this machine run tests as root, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}
