import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where `npm run build` puts the web app (vite, apps/web/vite.config.mts): dist/web at the
 * repository root. From compiled code (dist/apps/query/src/web) that is four levels up plus
 * `web`; from the sources (tests run them through swc) it is four levels up plus `dist/web`.
 */
export function webBundleDir(from: string = __dirname): string {
  const candidates = [join(from, '..', '..', '..', '..', 'web'), join(from, '..', '..', '..', '..', 'dist', 'web')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[candidates.length - 1];
}

/** Paths the API, Swagger UI and probes own: never answered with the web app's index.html. */
export function isApiPath(path: string): boolean {
  return /^\/(api|v1|docs|health|metrics)(\/|-|$)/.test(path);
}

/** The page served when the bundle was not built: says what to run instead of a blank screen. */
export const BUNDLE_MISSING_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Runstream: web app not built</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3rem; max-width: 40rem">
<h1>The web app was not built</h1>
<p>This query app serves the web app from <code>dist/web</code>, which is missing. Run <code>npm run build</code>
(it builds the API and the web bundle) and restart, or use the API directly: <a href="/docs">/docs</a>.</p>
</body></html>
`;
