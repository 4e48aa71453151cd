// OpenTelemetry through BullMQ's `telemetry` option, with the real bullmq-otel
// package and @opentelemetry/api (spans recorded by the in-memory SDK in
// fixtures/otel-recorder.ts): ferroq makes the `add` and `process` spans
// bullmq 6.7.0 makes for the same code, the producer's trace continues in the
// worker (across the two libraries too), and a processor's own spans nest in
// its `process` span.
import * as bullmq from 'bullmq'
import { BullMQOtel } from 'bullmq-otel'
import { context, trace, SpanKind } from '@opentelemetry/api'
import IORedis from 'ioredis'
import { Queue, Worker, Job } from '../..'
import { connection, queueName, collect } from '../helpers'
import { bullConnection } from './compat-helpers'
import { installRecorder, RecordedSpan } from '../fixtures/otel-recorder'

const recorder = installRecorder()
afterAll(() => recorder.uninstall())

const spansOfTrace = (traceId: string) => recorder.spans.filter((s) => s.traceId === traceId)

/** A trace as a comparable tree: names (queue name replaced), kinds, attribute keys, events, parents. */
function shape(spans: RecordedSpan[], name: string): unknown[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]))
  const norm = (s: string) => s.split(name).join('<queue>')
  return spans
    .filter((s) => /^(request|inner|add |addBulk |process )/.test(s.name))
    .map((s) => ({
      name: norm(s.name),
      kind: s.kind,
      parent: s.parentSpanId ? norm(byId.get(s.parentSpanId)?.name ?? 'remote') : null,
      attributes: Object.keys(s.attributes).sort(),
      events: s.events.map((e) => ({ name: e.name, attributes: Object.keys(e.attributes).sort() })),
      ended: s.ended,
    }))
    .sort((a, b) => (a.name + a.parent < b.name + b.parent ? -1 : 1))
}

type Lib = { Queue: typeof Queue; Worker: typeof Worker }

/**
 * The scenario both libraries run: inside a 'request' span the app adds one job
 * and a bulk of two; the worker's processor opens an 'inner' span; job `bad` fails.
 */
async function runScenario(lib: Lib, conn: object, name: string): Promise<{ traceId: string; jobIds: string[] }> {
  const telemetry = new BullMQOtel({ tracerName: 'ferroq-test' })
  const tracer = trace.getTracer('app')
  const queue = new lib.Queue(name, { connection: conn, telemetry } as never)
  const worker = new lib.Worker(
    name,
    async (job: Job) => {
      tracer.startSpan('inner', {}, context.active()).end()
      if (job.name === 'bad') throw new Error('kaput')
      return { doubled: job.data.n * 2 }
    },
    { connection: conn, telemetry, name: 'w1' } as never,
  )
  const done = Promise.all([collect(worker, 'completed', 2), collect(worker, 'failed', 1)])
  const request = tracer.startSpan('request')
  const jobIds = await context.with(trace.setSpan(context.active(), request), async () => {
    const one = await queue.add('good', { n: 1 })
    const bulk = await queue.addBulk([
      { name: 'good', data: { n: 2 } },
      { name: 'bad', data: { n: 3 } },
    ])
    return [one.id!, ...bulk.map((j) => j.id!)]
  })
  request.end()
  await done
  await worker.close()
  await queue.close()
  return { traceId: request.spanContext().traceId, jobIds }
}

describe('telemetry (bullmq-otel)', () => {
  test('add, addBulk and process spans: the same trace shape as bullmq 6.7.0', async () => {
    const ours = queueName('otel-ferroq')
    const theirs = queueName('otel-bullmq')
    const ferroqRun = await runScenario({ Queue, Worker }, connection(), ours)
    const bullRun = await runScenario(bullmq as unknown as Lib, bullConnection(), theirs)
    const ferroqShape = shape(spansOfTrace(ferroqRun.traceId), ours)
    expect(ferroqShape).toEqual(shape(spansOfTrace(bullRun.traceId), theirs))

    // The shape, spelled out: three process spans under the producer spans, one
    // inner span in each, a completed/failed event, everything ended.
    const spans = spansOfTrace(ferroqRun.traceId)
    const add = spans.find((s) => s.name === `add ${ours}.good`)!
    expect(add).toMatchObject({ kind: SpanKind.PRODUCER, ended: true })
    expect(add.attributes).toMatchObject({
      'bullmq.queue.name': ours,
      'bullmq.queue.operation': 'add',
      'bullmq.job.name': 'good',
      'bullmq.job.id': ferroqRun.jobIds[0],
    })
    const bulk = spans.find((s) => s.name === `addBulk ${ours}`)!
    expect(bulk.attributes).toMatchObject({ 'bullmq.job.bulk.names': ['good', 'bad'], 'bullmq.job.bulk.count': 2 })
    const processes = spans.filter((s) => s.name === `process ${ours}`)
    expect(processes).toHaveLength(3)
    for (const p of processes) {
      expect(p.kind).toBe(SpanKind.CONSUMER)
      expect(p.ended).toBe(true)
      expect([add.spanId, bulk.spanId]).toContain(p.parentSpanId)
      expect(spans.filter((s) => s.name === 'inner' && s.parentSpanId === p.spanId)).toHaveLength(1)
    }
    const bad = processes.find((p) => p.attributes['bullmq.job.name'] === 'bad')!
    expect(bad.attributes).toMatchObject({ 'bullmq.job.id': ferroqRun.jobIds[2], 'bullmq.worker.name': 'w1', 'bullmq.job.attempts.made': 1 })
    expect(bad.events).toEqual([{ name: 'job failed', attributes: { 'bullmq.job.failed.reason': 'kaput' } }])
    const good = processes.find((p) => p.attributes['bullmq.job.id'] === ferroqRun.jobIds[0])!
    expect(good.events).toEqual([{ name: 'job completed', attributes: { 'bullmq.job.result': '{"doubled":2}' } }])
  }, 30000)

  test('the producer context travels in the job: a bullmq producer and a ferroq worker share one trace, and back', async () => {
    const telemetry = new BullMQOtel({ tracerName: 'ferroq-test' })
    const redis = new IORedis({ ...bullConnection(), maxRetriesPerRequest: null })
    try {
      for (const [producer, consumer] of [
        ['bullmq', 'ferroq'],
        ['ferroq', 'bullmq'],
      ] as const) {
        const name = queueName(`otel-${producer}-to-${consumer}`)
        const queue =
          producer === 'bullmq' ? new bullmq.Queue(name, { connection: bullConnection(), telemetry }) : new Queue(name, { connection: connection(), telemetry })
        const worker =
          consumer === 'bullmq'
            ? new bullmq.Worker(name, async () => 'ok', { connection: bullConnection(), telemetry })
            : new Worker(name, async () => 'ok', { connection: connection(), telemetry })
        const completed = collect(worker as unknown as Worker, 'completed', 1)
        const job = await queue.add('hop', { x: 1 })
        await completed
        await worker.close()
        await queue.close()
        // The stored opts carry the add span's context as BullMQ stores it (`tm`).
        const stored = JSON.parse((await redis.hget(`bull:${name}:${job.id}`, 'opts')) as string)
        const add = recorder.spans.find((s) => s.name === `add ${name}.hop`)!
        expect({ producer, tm: JSON.parse(stored.tm) }).toEqual({ producer, tm: { traceparent: `00-${add.traceId}-${add.spanId}-01` } })
        const process = recorder.spans.find((s) => s.name === `process ${name}`)!
        expect({ producer, traceId: process.traceId, parent: process.parentSpanId }).toEqual({ producer, traceId: add.traceId, parent: add.spanId })
      }
    } finally {
      redis.disconnect()
    }
  }, 30000)

  test('without telemetry nothing is traced; a malformed telemetry option is refused with a code', async () => {
    const before = recorder.spans.length
    const name = queueName('otel-off')
    const queue = new Queue(name, { connection: connection() })
    await queue.add('plain', {})
    expect(recorder.spans.length).toBe(before)
    await queue.close()
    expect(() => new Queue(name, { connection: connection(), telemetry: { tracer: {} } as never })).toThrow(
      expect.objectContaining({ code: 'ERR_FERROQ_INVALID_OPTION', message: expect.stringContaining('opts.telemetry.tracer') }),
    )
  })
})
