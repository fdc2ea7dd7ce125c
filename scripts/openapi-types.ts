/**
 * TypeScript types from the apps' OpenAPI documents (the ones they serve at /docs-json), through
 * openapi-typescript, for the web app (scripts/web-api-types.ts) and the SDK
 * (libs/sdk/scripts/api-types.ts). The apps are built in Nest's preview mode: controllers and DTOs
 * are read, no provider runs, so no Kafka, ClickHouse or token store is needed.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { OpenAPIObject } from '@nestjs/swagger';
import { setupOpenApi } from '@runstream/http';
import { CONTROL_OPENAPI } from '../apps/control/src/control.app';
import { loadControlConfig } from '../apps/control/src/config/control.config';
import { ControlModule } from '../apps/control/src/control.module';
import { loadIngestConfig } from '../apps/ingest/src/config/ingest.config';
import { INGEST_OPENAPI } from '../apps/ingest/src/ingest.app';
import { IngestModule } from '../apps/ingest/src/ingest.module';
import { loadQueryConfig } from '../apps/query/src/config/query.config';
import { QUERY_OPENAPI } from '../apps/query/src/query.app';
import { QueryModule } from '../apps/query/src/query.module';

/** Repository root, from the sources (scripts/) or the build (dist/scripts/). */
export const REPO_ROOT = [join(__dirname, '..'), join(__dirname, '..', '..')].find((dir) => {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === 'runstream';
  } catch {
    return false;
  }
}) as string;

/** One app's document, and the file its types go to. */
export interface AppDocument {
  file: string;
  info: { title: string; description: string };
  module: () => DynamicModule;
}

export const INGEST_DOCUMENT: AppDocument = { file: 'ingest.d.ts', info: INGEST_OPENAPI, module: () => IngestModule.forRoot(loadIngestConfig({})) };
export const QUERY_DOCUMENT: AppDocument = { file: 'query.d.ts', info: QUERY_OPENAPI, module: () => QueryModule.forRoot(loadQueryConfig({})) };
export const CONTROL_DOCUMENT: AppDocument = { file: 'control.d.ts', info: CONTROL_OPENAPI, module: () => ControlModule.forRoot(loadControlConfig({})) };

export interface TypesOptions {
  /** The first line of every file: which script made it. */
  header: string;
  /** Formats the files with the repository's Prettier settings as if they were in this directory. */
  prettierDir?: string;
}

async function openApiDocument(doc: AppDocument): Promise<OpenAPIObject> {
  const app = await NestFactory.create(doc.module(), new FastifyAdapter(), { preview: true, logger: false });
  try {
    return setupOpenApi(app, doc.info.title, doc.info.description);
  } finally {
    await app.close();
  }
}

/** File name -> generated TypeScript, for every document. */
export async function generateTypes(documents: AppDocument[], options: TypesOptions): Promise<Map<string, string>> {
  const scratch = mkdtempSync(join(tmpdir(), 'runstream-api-types-'));
  const out = new Map<string, string>();
  try {
    for (const doc of documents) {
      const input = join(scratch, `${doc.file}.json`);
      const output = join(scratch, doc.file);
      writeFileSync(input, JSON.stringify(await openApiDocument(doc)));
      // openapi-typescript is ESM only; its CLI keeps this script (and jest) CommonJS.
      execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js'), input, '--output', output, '--alphabetize'], {
        stdio: 'pipe',
      });
      const text = `${options.header}\n${readFileSync(output, 'utf8')}`;
      out.set(doc.file, options.prettierDir ? prettier(text, join(options.prettierDir, doc.file)) : text);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return out;
}

function prettier(text: string, asFile: string): string {
  return execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--stdin-filepath', asFile], {
    input: text,
    encoding: 'utf8',
  });
}

/** Writes the generated files into `dir` (the scripts' main). */
export async function writeTypes(dir: string, generated: Promise<Map<string, string>>): Promise<void> {
  for (const [file, text] of await generated) {
    writeFileSync(join(dir, file), text);
    console.log(`wrote ${join(dir, file)}`);
  }
}
