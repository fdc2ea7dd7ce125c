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
