'use strict'
// Job schedulers on a Queue (BullMQ 6's upsertJobScheduler & co). The engine
// stores and runs them; this module only converts dates and JSON.

const { invalid, refused } = require('./errors.js')
const { toJson, idOf, int, checkFinite } = require('./convert.js')
const { decodeOpts } = require('./opts-names.js')
const { trace, SpanKind, TelemetryAttributes: A } = require('./telemetry.js')

/** A date option (Date, ISO string or ms) as ms, or a coded error naming it. */
function dateMs(v, field) {
  if (v === undefined || v === null) return undefined
  const ms = typeof v === 'number' ? v : new Date(v).getTime()
  if (!Number.isFinite(ms)) throw invalid(field, 'must be a Date, a date string or a time in ms')
  return ms
}

function repeatJson(repeatOpts) {
  if (!repeatOpts || typeof repeatOpts !== 'object' || Array.isArray(repeatOpts)) {
    throw invalid('repeatOpts', 'must be an object with every or pattern')
  }
  const r = { ...repeatOpts }
  for (const k of ['startDate', 'endDate']) {
    if (k in r) r[k] = dateMs(r[k], `repeatOpts.${k}`)
  }
  const json = toJson(r, 'repeatOpts')
  checkFinite(r, 'repeatOpts')
  return json
}

/** The scheduler object BullMQ returns (template opts with their long names). */
function schedulerFromJSON(raw) {
  if (raw.template && raw.template.opts) raw.template.opts = decodeOpts(raw.template.opts)
  return raw
}

/** `queue.upsertJobScheduler(id, repeatOpts, { name, data, opts })`: the next iteration as a Job, or undefined. */
async function upsertJobScheduler(queue, Job, id, repeatOpts, jobTemplate) {
  if (id === undefined || id === null || id === '') throw invalid('jobSchedulerId', 'is required')
  if (jobTemplate != null && (typeof jobTemplate !== 'object' || Array.isArray(jobTemplate))) {
    throw invalid('jobTemplate', 'must be { name?, data?, opts? }')
  }
  // As BullMQ, by this process's clock (Date.now), before anything is sent.
  if (repeatOpts && repeatOpts.endDate != null && new Date(repeatOpts.endDate).getTime() < Date.now()) {
    throw refused('repeatOpts.endDate', 'End date must be greater than current timestamp')
  }
  const t = jobTemplate || {}
  const template = {
    name: t.name,
    data: t.data === undefined ? {} : t.data,
    // BullMQ merges the queue's default job options under the template's.
    opts: queue._jobOpts(t.opts, 'jobTemplate.opts'),
  }
  const args = [idOf(id, 'jobSchedulerId'), repeatJson(repeatOpts), toJson(template, 'jobTemplate')]
  checkFinite(template.opts, 'jobTemplate.opts')
  // BullMQ's span: `add <queue>.<job name>`, naming the scheduler and the iteration.
  return trace(queue._telemetry, SpanKind.PRODUCER, queue.name, 'add', `${queue.name}.${t.name === undefined ? id : t.name}`, async (span) => {
    const raw = await queue._native.upsertJobScheduler(...args)
    const job = raw === null ? undefined : Job.fromEngine(queue, JSON.parse(raw))
    if (span && job) span.setAttributes({ [A.JobSchedulerId]: String(id), [A.JobId]: job.id })
    return job
  })
}

async function getJobScheduler(queue, id) {
  const raw = await queue._native.getJobScheduler(idOf(id, 'id'))
  return raw === null ? undefined : schedulerFromJSON(JSON.parse(raw))
}

async function getJobSchedulers(queue, start = 0, end = -1, asc = false) {
  const list = JSON.parse(await queue._native.getJobSchedulers(int(Number(start), 'start'), int(Number(end), 'end'), Boolean(asc)))
  return list.map(schedulerFromJSON)
}

module.exports = { upsertJobScheduler, getJobScheduler, getJobSchedulers }
