'use strict'
// A job's plain-object forms, as BullMQ's Job has them: `asJSON()` (what is
// stored: data, failedReason, stacktrace and returnvalue as JSON text),
// `Job.fromJSON()` (the inverse, BullMQ's static signature), BullMQ's option
// decoding, and the engine's job JSON (values already parsed) into a Job.

const { OPTS_SHORT_NAMES, decodeOpts } = require('./opts-names.js')

/** BullMQ's `Backoffs.normalize`: a number is a fixed backoff of that many ms. */
function normalizeBackoff(backoff) {
  if (Number.isFinite(backoff)) return { type: 'fixed', delay: backoff }
  return backoff || undefined
}

/** `{ ...obj }` without its undefined values (BullMQ's removeUndefinedFields). */
function definedOnly(obj) {
  const out = {}
  for (const k in obj) if (obj[k] !== undefined) out[k] = obj[k]
  return out
}

/** JSON.parse, or `fallback` when `text` is not JSON. */
function parseOr(text, fallback) {
  try {
    return JSON.parse(text)
  } catch {
    return fallback
  }
}

/**
 * BullMQ's `Job.optsFromJSON`: the stored opts JSON text with its short keys
 * (`de`, `kl`, ...) renamed by `decode` (BullMQ's table by default), `tm` and
 * `omc` folded into `telemetry`.
 */
function optsFromJSON(rawOpts, decode) {
  const opts = JSON.parse(rawOpts || '{}')
  if (!decode) return decodeOpts(opts)
  const out = {}
  for (const [k, v] of Object.entries(opts)) {
    if (decode[k]) out[decode[k]] = v
    else if (k === 'tm') out.telemetry = { ...out.telemetry, metadata: v }
    else if (k === 'omc') out.telemetry = { ...out.telemetry, omitContext: v }
    else out[k] = v
  }
  return out
}

/** BullMQ's decode table (short stored key -> option name), for `optsFromJSON`'s second argument. */
const OPTS_DECODE_MAP = Object.fromEntries(Object.entries(OPTS_SHORT_NAMES).filter(([, v]) => typeof v === 'string'))

/** The job as BullMQ's `asJSON()` gives it: what would be stored, undefined fields left out. */
function asJSON(job) {
  return definedOnly({
    id: job.id,
    name: job.name,
    data: JSON.stringify(job.data === undefined ? {} : job.data),
    opts: job.opts,
    parent: job.parent ? { ...job.parent } : undefined,
    parentKey: job.parentKey,
    progress: job.progress,
    attemptsMade: job.attemptsMade,
    attemptsStarted: job.attemptsStarted,
    stalledCounter: job.stalledCounter,
    finishedOn: job.finishedOn,
    processedOn: job.processedOn,
    timestamp: job.timestamp,
    failedReason: JSON.stringify(job.failedReason),
    stacktrace: JSON.stringify(job.stacktrace),
    deduplicationId: job.deduplicationId,
    repeatJobKey: job.repeatJobKey,
    returnvalue: JSON.stringify(job.returnvalue),
  })
}

/** The fields BullMQ's fromJSON copies only when they are set (truthy). */
const OPTIONAL_FIELDS = ['finishedOn', 'processedOn', 'repeatJobKey', 'deduplicationId', 'failedReason', 'deferredFailure', 'processedBy']

/**
 * BullMQ's `Job.fromJSON(queue, json, jobId)`: a Job from a decoded stored job
 * (`data`, `stacktrace` and `returnvalue` as JSON text, `opts` an object).
 */
function fromJSON(JobClass, queue, json, jobId) {
  const opts = typeof json.opts === 'string' ? optsFromJSON(json.opts) : json.opts
  const job = new JobClass(queue, json.name, JSON.parse(json.data || '{}'), opts, json.id || jobId)
  job.progress = json.progress ?? 0
  job.delay = json.delay
  job.priority = json.priority
  job.timestamp = json.timestamp
  for (const k of OPTIONAL_FIELDS) if (json[k]) job[k] = json[k]
  job.attemptsStarted = json.attemptsStarted ?? 0
  job.attemptsMade = json.attemptsMade ?? 0
  job.stalledCounter = json.stalledCounter ?? 0
  const traces = json.stacktrace ? parseOr(json.stacktrace, []) : []
  job.stacktrace = Array.isArray(traces) ? traces : []
  if (typeof json.returnvalue === 'string') job.returnvalue = parseOr(json.returnvalue, undefined)
  job.parentKey = json.parentKey || undefined
  job.parent = json.parent || undefined
  return job
}

/** A Job from the engine's job JSON object (values already parsed, opts with stored keys). */
function fromEngine(JobClass, queue, raw) {
  const job = new JobClass(queue, raw.name, raw.data, decodeOpts(raw.opts), raw.id)
  job.timestamp = raw.timestamp
  job.delay = raw.delay
  job.priority = raw.priority
  job.processedOn = raw.processedOn
  job.finishedOn = raw.finishedOn
  job.attemptsMade = raw.attemptsMade
  job.attemptsStarted = raw.attemptsStarted
  job.stalledCounter = raw.stalledCounter
  if (raw.progress !== undefined) job.progress = raw.progress
  if (raw.returnvalue !== undefined) job.returnvalue = raw.returnvalue
  job.failedReason = raw.failedReason
  job.stacktrace = Array.isArray(raw.stacktrace) ? raw.stacktrace : []
  for (const k of ['processedBy', 'deduplicationId', 'repeatJobKey', 'token', 'deferredFailure']) {
    if (raw[k] !== undefined) job[k] = raw[k]
  }
  // The hash's fields, not opts.parent, say whether the job is still a child
  // (removeChildDependency drops them), as in BullMQ's fromJSON.
  job.parentKey = raw.parentKey || undefined
  job.parent = raw.parent || undefined
  return job
}

module.exports = { normalizeBackoff, optsFromJSON, OPTS_DECODE_MAP, asJSON, fromJSON, fromEngine }
