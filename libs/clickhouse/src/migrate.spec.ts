import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMigrations } from './migrate';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

describe('readMigrations', () => {
  it('numbers the shipped migrations 1..n without gaps, each idempotent', () => {
    const migrations = readMigrations();
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, index) => index + 1));
    // CREATE and ADD only if missing; setting a setting again changes nothing, building a projection or index again rebuilds the same one.
    for (const migration of migrations) expect(migration.sql).toMatch(/IF NOT EXISTS|MODIFY SETTING|MATERIALIZE (PROJECTION|INDEX)/);
  });

  it('refuses two files with one number', () => {
    const dir = dirWith({ '0001_a.sql': 'SELECT 1', '0001_b.sql': 'SELECT 2' });
    expect(() => readMigrations(dir)).toThrow('two migrations share number 1');
  });

  it('refuses a file with two statements and a misnamed file', () => {
    expect(() => readMigrations(dirWith({ '0001_a.sql': 'SELECT 1; SELECT 2;' }))).toThrow('more than one statement');
    expect(() => readMigrations(dirWith({ '1_a.sql': 'SELECT 1' }))).toThrow('does not match NNNN_name.sql');
  });

  it('ignores comment lines and a trailing semicolon', () => {
    const [migration] = readMigrations(dirWith({ '0001_a.sql': '-- why; because\nCREATE TABLE IF NOT EXISTS t (x UInt8) ENGINE = Memory;\n' }));
    expect(migration.sql).toBe('CREATE TABLE IF NOT EXISTS t (x UInt8) ENGINE = Memory');
  });
});
