export default async function globalTeardown(): Promise<void> {
  for (const infra of (globalThis.__runstreamInfra ?? []).reverse()) await infra.stop();
}
