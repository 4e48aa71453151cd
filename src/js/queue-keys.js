'use strict'
// QueueKeys: the Redis key names of a queue as BullMQ's QueueKeys gives them
// to users (`queue.keys`, `queue.toKey`). The engine formats its own keys in
// src/engine/keys.rs; these are the same names, for code that reads them.

/** BullMQ's queue key suffixes, in the order of its `keys` map. */
const KEY_TYPES = ['', 'active', 'wait', 'waiting-children', 'paused', 'id', 'delayed', 'prioritized', 'stalled-check', 'completed', 'failed', 'stalled', 'repeat', 'limiter', 'meta', 'events', 'pc', 'marker', 'de']

/** Key names under a prefix. BullMQ's `QueueKeys`. */
class QueueKeys {
  constructor(prefix = 'bull') {
    this.prefix = prefix
  }

  /** `{ [suffix]: key }` of queue `name`. */
  getKeys(name) {
    return Object.fromEntries(KEY_TYPES.map((t) => [t, this.toKey(name, t)]))
  }

  /** `<prefix>:<name>:<type>`. */
  toKey(name, type) {
    return `${this.getQueueQualifiedName(name)}:${type}`
  }

  /** `<prefix>:<name>`. */
  getQueueQualifiedName(name) {
    return `${this.prefix}:${name}`
  }
}

module.exports = { QueueKeys }
