'use strict'
// Queue.exportPrometheusMetrics: the queue's job counts and its completed /
// failed totals in Prometheus' text format, with BullMQ's metric names, help
// texts and label order, so scrape configs and dashboards made for BullMQ work
// unchanged.

const { invalid } = require('./errors.js')

/** A label value as Prometheus' text format needs it: `\`, `"` and newlines escaped. */
function labelValue(v) {
  return String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

/** `, name="value"` for each extra label, in the caller's order. */
function extraLabels(globalVariables) {
  if (globalVariables == null) return ''
  if (typeof globalVariables !== 'object') throw invalid('globalVariables', 'must be an object of label names to values')
  let out = ''
  for (const name of Object.keys(globalVariables)) out += `, ${name}="${labelValue(globalVariables[name])}"`
  return out
}

/** The metrics text for `queue` (reads its counts and metrics meta). */
async function exportPrometheusMetrics(queue, globalVariables) {
  const extra = extraLabels(globalVariables)
  const q = labelValue(queue.name)
  const [counts, completed, failed] = await Promise.all([queue.getJobCounts(), queue.getMetrics('completed'), queue.getMetrics('failed')])
  const lines = ['# HELP bullmq_job_count Number of jobs in the queue by state', '# TYPE bullmq_job_count gauge']
  for (const [state, count] of Object.entries(counts)) lines.push(`bullmq_job_count{queue="${q}", state="${state}"${extra}} ${count}`)
  lines.push(
    '# HELP bullmq_job_completed_total Total number of completed jobs',
    '# TYPE bullmq_job_completed_total counter',
    `bullmq_job_completed_total{queue="${q}"${extra}} ${completed.meta.count}`,
    '# HELP bullmq_job_failed_total Total number of failed jobs',
    '# TYPE bullmq_job_failed_total counter',
    `bullmq_job_failed_total{queue="${q}"${extra}} ${failed.meta.count}`,
  )
  return lines.join('\n')
}

module.exports = { exportPrometheusMetrics }
