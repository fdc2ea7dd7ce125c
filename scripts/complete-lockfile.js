#!/usr/bin/env node
/**
 * npm leaves an optional platform package out of package-lock.json when the registry it
 * resolved against does not serve it (the registry mirror on our build machines serves
 * chdb's linux-x64 library only), and `npm ci` then refuses the lockfile as out of sync.
 * This adds such packages back as optional entries with their os/cpu/libc, exactly as
 * a lockfile resolved against the full registry holds them; `npm ci` skips the ones
 * that do not match the machine without fetching them. Run after `npm install`.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const lockPath = join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));

function platformOf(name) {
  const match = /-(darwin|linux|win32)-(x64|arm64|ia32|arm|ppc64|s390x)(?:-(gnu|musl|msvc|gnueabihf))?$/.exec(name);
  if (!match) return undefined;
  const [, os, cpu, abi] = match;
  const entry = { cpu: [abi === 'gnueabihf' ? 'arm' : cpu], os: [os] };
  if (abi === 'gnu' || abi === 'gnueabihf') entry.libc = ['glibc'];
  if (abi === 'musl') entry.libc = ['musl'];
  return entry;
}

let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] || lock.packages[`${path}/${key}`]) continue;
    const platform = platformOf(name);
    if (!platform) continue;
    lock.packages[key] = { version, ...platform, optional: true };
    added += 1;
    console.log(`added ${name}@${version} (${platform.os}/${platform.cpu}) for ${path || 'root'}`);
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added ? `${added} platform entries added` : 'lockfile already complete');
