/** Redis Cluster suite (`npm run test:cluster`): starts its own 6-node cluster. */
const base = require('./jest.config.js')

module.exports = {
  ...base,
  testMatch: ['**/__test__/cluster/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: undefined,
  globalTeardown: undefined,
  testTimeout: 120000,
}
