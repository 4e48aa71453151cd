'use strict'
// The bullmq-suite's `src/classes` when the library under test is ferroq: only
// what ferroq's public entry point exports. Classes BullMQ keeps internal
// (ChildPool, LockManager, RedisConnection, ...) are left out on purpose, so
// tests that need them fail on ferroq and show up in the report.
const ferroq = require('../../../index.js')

module.exports = ferroq
