'use strict'
// What a ferroq Queue answers where BullMQ 6's Queue hands out its datastore
// backend (`queue.getBackend()`) and raw Redis client (`queue.client`). Tools
// built on BullMQ reach for these: bull-board reads the Redis panel from
// `client.info()`, and reads a job's flow tree through BullMQ's own
// FlowProducer constructed over this backend (`new FlowProducer(queue.opts,
// () => backend)`), whose `getFlow` reads jobs and their dependencies through
// the backend methods below. ferroq has no ioredis client to hand out: the
// client answers `info()` (and `ping()`), every read goes through the engine.

const { EventEmitter } = require('node:events')
const { text } = require('./convert.js')
const { FerroqError } = require('./errors.js')

/** The part of an ioredis client ferroq can answer for a queue. */
class QueueClient {
  constructor(queue) {
    Object.defineProperty(this, '_queue', { value: queue })
  }

  /** The server's INFO text (one `section`, or the default ones), as ioredis' `info()`. */
  async info(section) {
    return this._queue._native.redisInfo(section == null ? null : String(section))
  }

  /** Resolves 'PONG' once Redis answers. */
  async ping() {
    await this._queue._native.ping()
    return 'PONG'
  }
}

/** A stored job as BullMQ's backends give it (`getJobData`): data as JSON text, opts decoded. */
function jobJson(job) {
  return {
    id: job.id,
    name: job.name,
    data: JSON.stringify(job.data === undefined ? {} : job.data),
    opts: job.opts,
    progress: job.progress,
    delay: job.delay,
    priority: job.priority,
    timestamp: job.timestamp,
    attemptsStarted: job.attemptsStarted,
    attemptsMade: job.attemptsMade,
    stalledCounter: job.stalledCounter,
    finishedOn: job.finishedOn,
    processedOn: job.processedOn,
    repeatJobKey: job.repeatJobKey,
    debounceId: job.deduplicationId,
    deduplicationId: job.deduplicationId,
    failedReason: job.failedReason,
    deferredFailure: job.deferredFailure,
    stacktrace: JSON.stringify(job.stacktrace || []),
    returnvalue: job.returnvalue === undefined ? undefined : JSON.stringify(job.returnvalue),
    parentKey: job.parentKey,
    parent: job.parent,
    processedBy: job.processedBy,
  }
}

/**
 * One queue's backend: its identity and keys, its client, and the job reads
 * BullMQ's FlowProducer.getFlow and Job make (getJobData, getState and the
 * dependency reads). `forQueue` gives the backend of another queue on the
 * same connection settings; those queues are closed with the owning queue.
 */
class QueueBackend extends EventEmitter {
  /** `openQueue(name, opts)` makes the Queue of another queue name (queue.js passes it: no require cycle). */
  constructor(queue, openQueue, siblings, owner = queue) {
    super()
    this.queue = queue
    Object.defineProperty(this, '_owner', { value: owner })
    Object.defineProperty(this, '_openQueue', { value: openQueue })
    this.name = queue.name
    this.keys = queue.keys
    this.qualifiedName = queue.qualifiedName
    this.client = Promise.resolve(new QueueClient(queue))
    // `<prefix>\0<name>` -> QueueBackend, shared by every backend of the owner.
    this._siblings = siblings || new Map([[`${queue.prefix}\u0000${queue.name}`, this]])
  }

  toKey(type) {
    return this.queue.toKey(type)
  }

  async waitUntilReady() {
    await this.queue.waitUntilReady()
  }

  /** The backend of queue `name` under `prefix` (this queue's prefix by default). */
  forQueue(name, prefix) {
    const p = prefix == null ? this.queue.prefix : prefix
    const key = `${p}\u0000${name}`
    let backend = this._siblings.get(key)
    if (!backend) {
      // A queue opened after the owner closed would never be closed.
      if (this._owner.closing) throw new FerroqError('ERR_FERROQ_CLOSED', `queue ${this._owner.name} is closed`)
      const queue = this._openQueue(name, { ...this._owner.opts, prefix: p })
      backend = new QueueBackend(queue, this._openQueue, this._siblings, this._owner)
      this._siblings.set(key, backend)
    }
    return backend
  }

  /** `<prefix>:<queue>:<id>` split into its parts (a prefix may hold colons). */
  parseNodeKey(key) {
    const last = key.lastIndexOf(':')
    const prev = key.lastIndexOf(':', last - 1)
    if (last === -1 || prev === -1) {
      const [prefix = '', queueName = '', id = ''] = key.split(':')
      return { prefix, queueName, id }
    }
    return { prefix: key.slice(0, prev), queueName: key.slice(prev + 1, last), id: key.slice(last + 1) }
  }

  async getJobData(id) {
    const job = await this.queue.getJob(id)
    return job ? jobJson(job) : undefined
  }

  async getState(id) {
    return this.queue.getJobState(id)
  }

  async getDependencies(id, opts) {
    return JSON.parse(await this.queue._native.getDependencies(text(id, 'id'), JSON.stringify(opts || {})))
  }

  /** One count per `types` entry, in order (processed, unprocessed, ignored, failed). */
  async getDependencyCounts(id, types) {
    const counts = JSON.parse(await this.queue._native.getDependenciesCount(text(id, 'id'), types))
    return types.map((t) => counts[t] || 0)
  }

  async getIgnoredChildrenFailures(id) {
    return JSON.parse(await this.queue._native.getIgnoredChildrenFailures(text(id, 'id')))
  }

  /** Closes the queues `forQueue` opened (not the owner's own). */
  async closeSiblings() {
    const others = [...this._siblings.values()].filter((b) => b.queue !== this.queue)
    this._siblings.clear()
    await Promise.all(others.map((b) => b.queue.close()))
  }
}

module.exports = { QueueBackend, QueueClient }
