'use strict'
// FlowProducer: adds trees of jobs (flows) across queues atomically and reads
// them back, as BullMQ's FlowProducer. The engine (NativeFlowProducer) does
// the Redis work in one script call per add; this class converts the tree and
// builds BullMQ's `{ job, children }` answer with Job objects.

const { EventEmitter } = require('node:events')
const { NativeFlowProducer } = require('./native.js')
const { invalid } = require('./errors.js')
const { toJson, nativeOpts, idOf, checkFinite } = require('./convert.js')
const { decodeOpts } = require('./opts-names.js')
const { Job } = require('./job.js')
const { Queue } = require('./queue.js')
const { checkTelemetry, trace, SpanKind, TelemetryAttributes: A } = require('./telemetry.js')

/** A flow tree as the engine takes it: `data` as JSON text, queue default options merged. */
function nodeToNative(node, queuesOptions, field) {
  if (!node || typeof node !== 'object' || Array.isArray(node)) throw invalid(field, 'must be { name, queueName, data?, opts?, children? }')
  if (typeof node.name !== 'string') throw invalid(`${field}.name`, 'must be a string')
  if (typeof node.queueName !== 'string') throw invalid(`${field}.queueName`, 'must be a string')
  if (node.prefix != null && typeof node.prefix !== 'string') throw invalid(`${field}.prefix`, 'must be a string')
  if (node.opts != null && (typeof node.opts !== 'object' || Array.isArray(node.opts))) throw invalid(`${field}.opts`, 'must be an object')
  if (node.children != null && !Array.isArray(node.children)) throw invalid(`${field}.children`, 'must be an array')
  const q = queuesOptions && queuesOptions[node.queueName]
  const defaults = (q && q.defaultJobOptions) || {}
  const opts = { ...defaults, ...(node.opts || {}) }
  checkFinite(opts, `${field}.opts`)
  if (typeof opts.jobId === 'number') opts.jobId = String(opts.jobId)
  return {
    name: node.name,
    queueName: node.queueName,
    prefix: node.prefix,
    dataJson: toJson(node.data === undefined ? {} : node.data, `${field}.data`),
    opts,
    children: (node.children || []).map((c, i) => nodeToNative(c, queuesOptions, `${field}.children[${i}]`)),
  }
}

/** JSON text of the tree `build()` makes, or a coded error naming `field` (too deep, not JSON). */
function treeJson(build, field) {
  let tree
  try {
    tree = build()
  } catch (e) {
    if (e instanceof RangeError) throw invalid(field, 'is nested too deeply')
    throw e
  }
  return toJson(tree, field)
}

class FlowProducer extends EventEmitter {
  constructor(opts = {}) {
    super()
    if (opts != null && (typeof opts !== 'object' || Array.isArray(opts))) throw invalid('opts', 'must be an object')
    this.opts = { ...(opts || {}) }
    this._telemetry = checkTelemetry(this.opts.telemetry)
    this._native = new NativeFlowProducer(nativeOpts(this.opts))
    this.opts.prefix = this._native.prefix
    /** `<prefix>\0<queue>` -> Queue used by the jobs this producer hands out. */
    this._queues = new Map()
    this.closing = undefined
  }

  /** The Queue the jobs of one node queue use for their methods (created once, closed with the producer). */
  _queue(prefix, name) {
    const key = `${prefix}\u0000${name}`
    let q = this._queues.get(key)
    if (!q) {
      q = new Queue(name, { ...this.opts, prefix })
      this._queues.set(key, q)
    }
    return q
  }

  /** Resolves once Redis answers. */
  async waitUntilReady() {
    await this._native.ping()
  }

  /** `{ job, children }` of `tree` from the engine's nodes (`nodes[at.i]` onwards, tree order). */
  _jobNode(tree, nodes, at) {
    const n = nodes[at.i++]
    const opts = decodeOpts(n.opts || {})
    const job = new Job(this._queue(n.prefix, n.queueName), tree.name, tree.data, opts, n.id)
    job.timestamp = n.timestamp
    if (!tree.children || !tree.children.length) return { job }
    return { job, children: tree.children.map((c) => this._jobNode(c, nodes, at)) }
  }

  /**
   * Adds a flow (a job and its children, any depth, any queues of one
   * prefix) atomically; resolves with `{ job, children }`. A root whose
   * `opts.parent` does not exist, or that exists with another parent, fails
   * and nothing is added.
   */
  async add(flow, opts) {
    if (this.closing) return undefined
    const tree = treeJson(() => nodeToNative(flow, opts && opts.queuesOptions, 'flow'), 'flow')
    return trace(this._telemetry, SpanKind.PRODUCER, flow.queueName, 'addFlow', flow.queueName, async (span) => {
      if (span) span.setAttributes({ [A.FlowName]: flow.name })
      const nodes = JSON.parse(await this._native.add(tree))
      return this._jobNode(flow, nodes, { i: 0 })
    })
  }

  /** Adds several flows in one atomic call; resolves with their `{ job, children }` trees. */
  async addBulk(flows) {
    if (this.closing) return undefined
    if (!Array.isArray(flows)) throw invalid('flows', 'must be an array of flows')
    const trees = treeJson(() => flows.map((f, i) => nodeToNative(f, undefined, `flows[${i}]`)), 'flows')
    return trace(this._telemetry, SpanKind.PRODUCER, '', 'addBulkFlows', '', async (span) => {
      if (span) span.setAttributes({ [A.BulkCount]: flows.length, [A.BulkNames]: flows.map((f) => f.name).join(',') })
      const added = JSON.parse(await this._native.addBulk(trees))
      return flows.map((f, i) => this._jobNode(f, added[i], { i: 0 }))
    })
  }

  _fromEngine(n) {
    if (!n) return undefined
    const job = Job.fromEngine(this._queue(n.prefix, n.queueName), n.job)
    if (!n.children) return { job }
    return { job, children: n.children.map((c) => this._fromEngine(c)) }
  }

  /**
   * The flow below job `id` of `queueName`: `{ job, children }` down to
   * `depth` levels (default 10), at most about `maxChildren` (default 20)
   * children of each kind per job; undefined when the job does not exist.
   */
  async getFlow(opts) {
    if (this.closing) return undefined
    if (!opts || typeof opts !== 'object') throw invalid('opts', 'must be { id, queueName, depth?, maxChildren?, prefix? }')
    const { id, queueName, depth = 10, maxChildren = 20, prefix } = opts
    if (typeof queueName !== 'string') throw invalid('opts.queueName', 'must be a string')
    if (prefix != null && typeof prefix !== 'string') throw invalid('opts.prefix', 'must be a string')
    const raw = await this._native.getFlow(idOf(id, 'opts.id'), queueName, prefix == null ? null : prefix, Number(depth), Number(maxChildren))
    return raw === null ? undefined : this._fromEngine(JSON.parse(raw))
  }

  /** Closes the producer and the queues its jobs use. Idempotent. */
  async close() {
    if (!this.closing) {
      this._native.close()
      this.closing = Promise.all([...this._queues.values()].map((q) => q.close())).then(() => undefined)
    }
    return this.closing
  }

  async disconnect() {
    return this.close()
  }
}

module.exports = { FlowProducer }
