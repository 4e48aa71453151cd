/**
 * Jest: TypeScript specs via ts-jest; one private redis-server per run, or with
 * FERROQ_TEST_STORE=memory the embedded store (memory://), leaving out the
 * suites that need a real Redis (listed in __test__/setup/stores.js).
 */
const { REDIS_ONLY_SUITES } = require('./__test__/setup/stores')

const onMemory = process.env.FERROQ_TEST_STORE === 'memory'

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__test__'],
  testMatch: ['**/*.spec.ts'],
  // Suites that start their own servers run separately (npm run test:cluster / test:faults);
  // __test__/bullmq-suite is BullMQ's own test files under vitest (npm run test:bullmq-suite).
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/__test__/bullmq-suite/',
    '<rootDir>/__test__/cluster/',
    '<rootDir>/__test__/faults/',
    ...(onMemory ? Object.keys(REDIS_ONLY_SUITES).map((f) => `<rootDir>/${f}`) : []),
  ],
  modulePathIgnorePatterns: ['<rootDir>/__test__/bullmq-suite/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/__test__/tsconfig.json' }] },
  globalSetup: '<rootDir>/__test__/setup/global-setup.js',
  globalTeardown: '<rootDir>/__test__/setup/global-teardown.js',
  testTimeout: 30000,
  maxWorkers: 2,
}
