/** Jest: TypeScript specs via ts-jest; one private redis-server per run. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__test__'],
  testMatch: ['**/*.spec.ts'],
  // Suites that start their own servers run separately (npm run test:cluster / test:faults).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/__test__/cluster/', '<rootDir>/__test__/faults/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/__test__/tsconfig.json' }] },
  globalSetup: '<rootDir>/__test__/setup/global-setup.js',
  globalTeardown: '<rootDir>/__test__/setup/global-teardown.js',
  testTimeout: 30000,
  maxWorkers: 2,
}
