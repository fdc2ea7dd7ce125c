/**
 * Three tiers, one config: `*.spec.ts` (pure, no I/O), `*.int-spec.ts` (real Kafka and
 * ClickHouse, real migrations), `*.e2e-spec.ts` (HTTP through all three apps).
 * `npm test` runs all of them; `npm run test:unit` only the pure tier.
 */
const { pathsToModuleNameMapper } = require('./scripts/jest-paths');

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleNameMapper: pathsToModuleNameMapper(),
  setupFiles: ['<rootDir>/libs/testing/src/setup-env.ts'],
};

module.exports = {
  rootDir: __dirname,
  // Integration tests wait on real brokers and engines; pure tests finish long before this.
  testTimeout: 120_000,
  // Two workers on any machine: most integration files wait on brokers, engines and clocks, so on
  // 2 cores two files side by side took the suite from ~16 to ~10 minutes (jest's default there
  // is one), and more would crowd the shared broker.
  maxWorkers: 2,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
    },
  ],
};
