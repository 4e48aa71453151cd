'use strict'
// The bullmq-suite's `src/utils` when the library under test is ferroq: small
// test helpers written here (BullMQ's utils are internal, not part of the API
// ferroq mirrors). The suite's test files import these by name.
const crypto = require('node:crypto')

/** Resolves after `ms` milliseconds. */
function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Whether an error is something other than "the connection is closed". */
function isNotConnectionError(err) {
  const msg = String((err && err.message) || '')
  return !/Connection is closed|ERR_FERROQ_CLOSED|ERR_FERROQ_CONNECTION/.test(msg) && !(err && /ERR_FERROQ_(CLOSED|CONNECTION)/.test(String(err.code)))
}

/**
 * Deletes every key of a queue (`<prefix>:<name>:*`) with the given ioredis
 * client, then quits that client (the suite hands it a fresh one each time).
 */
async function removeAllQueueData(client, queueName, prefix = process.env.BULLMQ_TEST_PREFIX || 'bull') {
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:${queueName}:*`, 'COUNT', 1000)
    cursor = next
    if (keys.length) await client.del(...keys)
  } while (cursor !== '0')
  try {
    await client.quit()
  } catch (err) {
    if (isNotConnectionError(err)) throw err
  }
}

/** `<queue key>:<id>` of a parent given as `{ id, queue }`. */
function getParentKey(opts) {
  return opts ? `${opts.queue}:${opts.id}` : undefined
}

/** Whether `version` (x.y.z) is lower than `minimum`. */
function isRedisVersionLowerThan(version, minimum) {
  const a = String(version).split('.').map(Number)
  const b = String(minimum).split('.').map(Number)
  for (let i = 0; i < 3; i++) {
    if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) < (b[i] || 0)
  }
  return false
}

/** An Error as plain JSON fields (name, message, stack and own props). */
function errorToJSON(err) {
  const out = {}
  for (const k of Object.getOwnPropertyNames(err)) out[k] = err[k]
  return out
}

module.exports = {
  delay,
  randomUUID: crypto.randomUUID,
  removeAllQueueData,
  getParentKey,
  isRedisVersionLowerThan,
  isNotConnectionError,
  errorToJSON,
}
