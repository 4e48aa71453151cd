/**
 * Jest for the fault-injection specs (`npm run test:faults`): the main config,
 * but only `__test__/faults/`, one spec file at a time (they kill and restart
 * their own redis-servers and time-sensitive child processes), and no shared
 * redis-server.
 */
const main = require('./jest.config.js')

module.exports = {
  ...main,
  testMatch: ['**/__test__/faults/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: undefined,
  globalTeardown: undefined,
  testTimeout: 60000,
  maxWorkers: 1,
  // One worker means the specs run inside Jest's own process: a spec that fails
  // half-way (before its close() calls) would otherwise keep it alive forever and
  // turn a red run into a hung one. A failure still fails the run.
  forceExit: true,
}
