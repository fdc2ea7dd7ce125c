/**
 * The web app (issue 14) over the query benchmark's largest data set, in Debian's Chromium
 * (playwright-core): time to the first rows of a big project's runs table, and to a run's detail
 * page, each a fresh page load (HTML, bundle, API calls, render); and the production bundle's
 * size. The browser and the query app share the machine's 2 cores.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { RunSample } from './dataset';
import { percentile } from './support';

const LOADS = 7;

export interface WebResult {
  /** Undefined when no Chromium was found (CHROMIUM_PATH, /usr/bin/chromium). */
  timings?: { firstRows: { p50: number; max: number }; runDetail: { p50: number; max: number }; runs: number; project: string };
  bundle: { files: number; bytes: number; gzipBytes: number };
}

export function bundleSize(dir: string): WebResult['bundle'] {
  const assets = join(dir, 'assets');
  const files = [join(dir, 'index.html'), ...(existsSync(assets) ? readdirSync(assets).map((name) => join(assets, name)) : [])].filter((file) =>
    existsSync(file),
  );
  const contents = files.map((file) => readFileSync(file));
  return { files: files.length, bytes: contents.reduce((sum, c) => sum + c.length, 0), gzipBytes: contents.reduce((sum, c) => sum + gzipSync(c).length, 0) };
}

function chromiumPath(): string | undefined {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path): path is string => Boolean(path && existsSync(path)));
}

/** The project the samples hit most (they are drawn uniformly over runs, so: the biggest), and one of its runs. */
export function biggestProject(samples: RunSample[]): RunSample {
  const counts = new Map<string, number>();
  for (const sample of samples) counts.set(sample.project_id, (counts.get(sample.project_id) ?? 0) + 1);
  const [project] = [...counts].sort((a, b) => b[1] - a[1])[0];
  return samples.find((sample) => sample.project_id === project) as RunSample;
}

const summary = (values: number[]) => ({ p50: Math.round(percentile(values, 0.5)), max: Math.round(Math.max(...values)) });

/** Page timings against the query app at `url` (serving dist/web), signed in with the sample's organisation's token. */
export async function benchWeb(url: string, tokens: Record<string, string>, samples: RunSample[], runs: number, webDir: string): Promise<WebResult> {
  const bundle = bundleSize(webDir);
  const executablePath = chromiumPath();
  if (!executablePath) return { bundle };
  const { chromium } = await import('playwright-core');
  // --no-sandbox: the bench runs as root, where Chromium's sandbox cannot start.
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const target = biggestProject(samples);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${url}/`);
    await page.evaluate(
      `sessionStorage.setItem('runstream.session', ${JSON.stringify(JSON.stringify({ token: tokens[target.org_id], orgId: target.org_id }))})`,
    );
    const firstRows: number[] = [];
    const runDetail: number[] = [];
    for (let i = 0; i < LOADS; i += 1) {
      let started = performance.now();
      await page.goto(`${url}/projects/${encodeURIComponent(target.project_id)}/runs`);
      await page.locator('tr[data-run-id]').first().waitFor({ timeout: 60_000 });
      if (i > 0) firstRows.push(performance.now() - started);
      started = performance.now();
      await page.goto(`${url}/runs/${encodeURIComponent(target.id)}`);
      await page.locator('dl.facts').waitFor({ timeout: 60_000 });
      if (i > 0) runDetail.push(performance.now() - started);
    }
    return { bundle, timings: { firstRows: summary(firstRows), runDetail: summary(runDetail), runs, project: target.project_id } };
  } finally {
    await browser.close();
  }
}

const kb = (bytes: number) => `${Math.round(bytes / 102.4) / 10} kB`;

export function webReport(r: WebResult): string {
  const t = r.timings;
  const timings = t
    ? `| | p50 ms | max ms |
|---|---|---|
| runs page: load to first table rows | ${t.firstRows.p50} | ${t.firstRows.max} |
| run detail: load to its header | ${t.runDetail.p50} | ${t.runDetail.max} |

Fresh page loads of the largest project's pages (${t.project}) over ${Math.round(t.runs / 1e5) / 10} M runs, ${LOADS - 1} measured after one warm-up, headless Chromium
on the same 2 cores as the query app. Each load fetches the HTML and the bundle (cached after the first), then the API calls
the page makes (the runs page: one list request, telemetry columns included).`
    : 'No Chromium was found (CHROMIUM_PATH, /usr/bin/chromium): page timings were not measured.';
  return `## Web app: page loads and bundle (issue 14)

${timings}

Production bundle (\`npm run build\`, vite): ${r.bundle.files} files, ${kb(r.bundle.bytes)}, **${kb(r.bundle.gzipBytes)} gzip**.
`;
}
