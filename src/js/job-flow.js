'use strict'
// A job's place in a flow (BullMQ's Job flow methods): its children's values
// and failures, its dependencies, and parking an active job until the
// children it added finish. Job (job.js) delegates here.

const { invalid } = require('./errors.js')
const { toJson } = require('./convert.js')

const DEPENDENCY_LISTS = ['processed', 'unprocessed', 'ignored', 'failed']

/** `{ childKey: returnvalue }` of the job's completed children. */
async function getChildrenValues(job) {
  return JSON.parse(await job._native.getChildrenValues(job.id))
}

/** `{ childKey: failedReason }` of the failures the job ignored (ignoreDependencyOnFailure, continueParentOnFailure). */
async function getIgnoredChildrenFailures(job) {
  return JSON.parse(await job._native.getIgnoredChildrenFailures(job.id))
}

/** BullMQ's getDependencies: whole lists without options, pages (`{ cursor, count }`) with them. */
async function getDependencies(job, opts = {}) {
  if (opts != null && (typeof opts !== 'object' || Array.isArray(opts))) throw invalid('opts', 'must be an object')
  return JSON.parse(await job._native.getDependencies(job.id, toJson(opts || {}, 'opts')))
}

/** `{ processed, unprocessed, ignored, failed }` counts, or only those asked for (`{ processed: true }`). */
async function getDependenciesCount(job, opts = {}) {
  const asked = Object.entries(opts || {}).filter(([, v]) => v).map(([k]) => k)
  for (const k of asked) if (!DEPENDENCY_LISTS.includes(k)) throw invalid(`opts.${k}`, `must be one of ${DEPENDENCY_LISTS.join(', ')}`)
  return JSON.parse(await job._native.getDependenciesCount(job.id, asked.length ? asked : DEPENDENCY_LISTS))
}

/**
 * Parks this active job in waiting-children until its pending children (or
 * `opts.child`) finish; true when it moved (then throw WaitingChildrenError),
 * false when there is nothing to wait for.
 */
async function moveToWaitingChildren(job, token, opts = {}) {
  const child = opts && opts.child
  if (child != null && (typeof child !== 'object' || child.id == null || typeof child.queue !== 'string')) {
    throw invalid('opts.child', 'must be { id, queue }')
  }
  const childKey = child ? `${child.queue}:${child.id}` : null
  return job._native.moveToWaitingChildren(job.id, token == null ? '0' : String(token), childKey)
}

/**
 * Takes the job out of its parent's pending dependencies for good; true when
 * it did (the job then has no parent), false when it was not pending there.
 */
async function removeChildDependency(job) {
  if (!job.parentKey) return false
  const removed = await job._native.removeChildDependency(job.id, job.parentKey)
  if (removed) {
    job.parent = undefined
    job.parentKey = undefined
  }
  return removed
}

/** Removes the children the job still waits for (and theirs); held, failed and finished ones stay. */
async function removeUnprocessedChildren(job) {
  await job._native.removeUnprocessedChildren(job.id)
}

/** The `parent` object BullMQ keeps on a child job: `{ id, queueKey, fpof|rdof|idof|cpof? }`. */
function parentOf(opts) {
  const p = opts && opts.parent
  if (!p) return undefined
  const parent = { id: p.id, queueKey: p.queue }
  for (const [long, short] of [
    ['failParentOnFailure', 'fpof'],
    ['removeDependencyOnFailure', 'rdof'],
    ['ignoreDependencyOnFailure', 'idof'],
    ['continueParentOnFailure', 'cpof'],
  ]) {
    if (opts[long]) parent[short] = true
  }
  return parent
}

module.exports = {
  getChildrenValues,
  getIgnoredChildrenFailures,
  getDependencies,
  getDependenciesCount,
  moveToWaitingChildren,
  removeChildDependency,
  removeUnprocessedChildren,
  parentOf,
}
