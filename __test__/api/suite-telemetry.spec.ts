// Telemetry that BullMQ's own tests expect and ferroq lacked (npm run
// test:bullmq-suite): meter metrics for ended attempts and job counts, and the
// spans of clean, job scheduler upserts and flows. Run on ferroq and bullmq alike.
import { BOTH, closer } from './parity'
import { queueName } from '../helpers'

type Recorded = { value: number; attrs: Record<string, unknown> }

/** A telemetry object that keeps every span and metric value it is handed. */
function recorder() {
  const spans: { name: string; kind?: number; attrs: Record<string, unknown> }[] = []
  const metrics = new Map<string, Recorded[]>()
  const instrument = (name: string) => {
    if (!metrics.has(name)) metrics.set(name, [])
    const list = metrics.get(name)!
    const push = (value: number, attrs: Record<string, unknown> = {}) => list.push({ value, attrs })
    return { add: push, record: push }
  }
  const telemetry = {
    tracer: {
      startSpan(name: string, options?: { kind: number }) {
        const span = {
          name,
          kind: options && options.kind,
          attrs: {} as Record<string, unknown>,
          setSpanOnContext: (ctx: object) => ({ ...ctx, span: name }),
          setAttribute: (k: string, v: unknown) => (span.attrs[k] = v),
          setAttributes: (a: Record<string, unknown>) => Object.assign(span.attrs, a),
          addEvent: () => undefined,
          recordException: () => undefined,
          end: () => undefined,
        }
        spans.push(span)
        return span
      },
    },
    contextManager: {
      with: (_ctx: unknown, fn: () => unknown) => fn(),
      active: () => ({}),
      getMetadata: () => '',
      fromMetadata: (ctx: object) => ctx,
    },
    meter: { createCounter: instrument, createHistogram: instrument, createGauge: instrument },
  }
  return { telemetry, spans, metrics }
}

describe.each(BOTH)('telemetry BullMQ records, on %s', (_label, { lib, connection }) => {
  const c = closer()
  afterEach(() => c.closeAll())

  function setup(tag: string) {
    const rec = recorder()
    const name = queueName(tag)
    const queue = c.add(new lib.Queue(name, { connection: connection(), telemetry: rec.telemetry }))
    return { rec, name, queue }
  }

  test('metric names are exported as BullMQ names them', () => {
    expect(lib.MetricNames.JobsCompleted).toBe('bullmq.jobs.completed')
    expect(lib.MetricNames.JobDuration).toBe('bullmq.job.duration')
    expect(lib.MetricNames.QueueJobsCount).toBe('bullmq.queue.jobs')
  })

  test('a worker counts completed, delayed-for-retry and failed attempts, and times them', async () => {
    const { rec, name, queue } = setup('meter')
    const worker = c.add(
      new lib.Worker(name, async (job: { name: string }) => {
        if (job.name === 'bad') throw new Error('no')
        return 'ok'
      }, { connection: connection(), telemetry: rec.telemetry }),
    )
    const failed = new Promise((resolve) => worker.on('failed', (job: { attemptsMade: number }) => job.attemptsMade === 2 && resolve(job)))
    const completed = new Promise((resolve) => worker.once('completed', resolve))
    await queue.add('good', {})
    await queue.add('bad', {}, { attempts: 2, backoff: { type: 'fixed', delay: 10 } })
    await Promise.all([completed, failed])
    const of = (metric: string) => rec.metrics.get(metric) || []
    expect(of('bullmq.jobs.completed')).toEqual([
      { value: 1, attrs: { 'bullmq.queue.name': name, 'bullmq.job.name': 'good', 'bullmq.job.state': 'completed' } },
    ])
    expect(of('bullmq.jobs.delayed').map((r) => r.attrs['bullmq.job.state'])).toEqual(['delayed'])
    expect(of('bullmq.jobs.failed').map((r) => r.attrs['bullmq.job.name'])).toEqual(['bad'])
    const durations = of('bullmq.job.duration')
    expect(durations).toHaveLength(3)
    for (const d of durations) expect(d.value).toBeGreaterThanOrEqual(0)
  })

  test('recordJobCountsMetric answers the counts and records one gauge value per state', async () => {
    const { rec, name, queue } = setup('gauge')
    await queue.add('a', {})
    await queue.add('b', {}, { delay: 60_000 })
    expect(await queue.recordJobCountsMetric('waiting', 'delayed')).toEqual({ waiting: 1, delayed: 1 })
    expect(rec.metrics.get('bullmq.queue.jobs')).toEqual([
      { value: 1, attrs: { 'bullmq.queue.name': name, 'bullmq.queue.jobs.state': 'waiting' } },
      { value: 1, attrs: { 'bullmq.queue.name': name, 'bullmq.queue.jobs.state': 'delayed' } },
    ])
  })

  test('clean, a scheduler upsert and flows each open BullMQ\'s span', async () => {
    const { rec, name, queue } = setup('spans')
    await queue.add('a', {})
    expect(await queue.clean(0, 0, 'wait')).toHaveLength(1)
    const clean = rec.spans.find((s) => s.name === `clean ${name}`)
    expect(clean && clean.attrs['bullmq.queue.clean.count']).toBe(1)

    const iteration = await queue.upsertJobScheduler('every-min', { every: 60_000 }, { name: 'tick' })
    const upsert = rec.spans.find((s) => s.name === `add ${name}.tick`)
    expect(upsert && upsert.kind).toBe(3)
    expect(upsert && upsert.attrs).toMatchObject({ 'bullmq.job.scheduler.id': 'every-min', 'bullmq.job.id': iteration.id })

    const flows = c.add(new lib.FlowProducer({ connection: connection(), telemetry: rec.telemetry }))
    await flows.add({ name: 'root', queueName: name, children: [{ name: 'leaf', queueName: name }] })
    await flows.addBulk([{ name: 'one', queueName: name }, { name: 'two', queueName: name }])
    const addFlow = rec.spans.find((s) => s.name === `addFlow ${name}`)
    expect(addFlow && addFlow.attrs['bullmq.flow.name']).toBe('root')
    const bulk = rec.spans.find((s) => s.name === 'addBulkFlows')
    expect(bulk && bulk.attrs).toMatchObject({ 'bullmq.job.bulk.count': 2, 'bullmq.job.bulk.names': 'one,two' })
  })
})
