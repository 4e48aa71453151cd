// Queue.exportPrometheusMetrics: ferroq's text is bullmq 6.7.0's text for the
// same queue (bullmq's Queue reads what ferroq wrote), with the job counts by
// state, the completed/failed totals workers keep with `metrics` on, and extra
// labels escaped the way Prometheus' text format needs.
import * as bullmq from 'bullmq'
import { Queue, Worker, Job, MetricsTime } from '../..'
import { connection, queueName, collect } from '../helpers'
import { bullConnection } from './compat-helpers'

describe('exportPrometheusMetrics', () => {
  test('the same text as bullmq for the same queue, extra labels included', async () => {
    const name = queueName('prom')
    const queue = new Queue(name, { connection: connection() })
    const worker = new Worker(
      name,
      async (job: Job) => {
        if (job.data.fail) throw new Error('no')
        return 'ok'
      },
      { connection: connection(), metrics: { maxDataPoints: MetricsTime.ONE_HOUR } },
    )
    const settled = Promise.all([collect(worker, 'completed', 3), collect(worker, 'failed', 1)])
    await queue.addBulk([1, 2, 3].map((n) => ({ name: 'ok', data: { n } })))
    await queue.add('bad', { fail: true })
    await settled
    await worker.close()
    await queue.add('later', {}, { delay: 60000 })
    await queue.addBulk([{ name: 'w', data: {} }, { name: 'w', data: {} }])

    const bullQueue = new bullmq.Queue(name, { connection: bullConnection() })
    try {
      const ours = await queue.exportPrometheusMetrics()
      expect(ours).toBe(await bullQueue.exportPrometheusMetrics())
      expect(ours.split('\n')).toEqual([
        '# HELP bullmq_job_count Number of jobs in the queue by state',
        '# TYPE bullmq_job_count gauge',
        `bullmq_job_count{queue="${name}", state="active"} 0`,
        `bullmq_job_count{queue="${name}", state="completed"} 3`,
        `bullmq_job_count{queue="${name}", state="delayed"} 1`,
        `bullmq_job_count{queue="${name}", state="failed"} 1`,
        `bullmq_job_count{queue="${name}", state="prioritized"} 0`,
        `bullmq_job_count{queue="${name}", state="waiting"} 2`,
        `bullmq_job_count{queue="${name}", state="waiting-children"} 0`,
        '# HELP bullmq_job_completed_total Total number of completed jobs',
        '# TYPE bullmq_job_completed_total counter',
        `bullmq_job_completed_total{queue="${name}"} 3`,
        '# HELP bullmq_job_failed_total Total number of failed jobs',
        '# TYPE bullmq_job_failed_total counter',
        `bullmq_job_failed_total{queue="${name}"} 1`,
      ])

      const labels = { env: 'prod "eu"', note: 'a\\b\nc' }
      const labelled = await queue.exportPrometheusMetrics(labels)
      expect(labelled).toBe(await bullQueue.exportPrometheusMetrics(labels))
      expect(labelled).toContain(`bullmq_job_failed_total{queue="${name}", env="prod \\"eu\\"", note="a\\\\b\\nc"} 1`)
    } finally {
      await bullQueue.close()
      await queue.close()
    }
  }, 30000)

  test('a queue nobody worked on exports zero counts; bad labels are refused with a code', async () => {
    const queue = new Queue(queueName('prom-empty'), { connection: connection() })
    const text = await queue.exportPrometheusMetrics()
    expect(text).toContain(`bullmq_job_completed_total{queue="${queue.name}"} 0`)
    await expect(queue.exportPrometheusMetrics('env=prod' as never)).rejects.toMatchObject({ code: 'ERR_FERROQ_INVALID_OPTION' })
    await queue.close()
  })
})
