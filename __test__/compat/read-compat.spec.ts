// Both libraries read the same Redis data identically: jobs written (added and
// processed) by one side are read through both sides' getters in every state;
// the same add stores the same hash; and bullmq and ferroq workers share a queue.
import * as bullmq from 'bullmq'
import IORedis from 'ioredis'
import { Queue, Worker } from '../..'
import { connection, queueName, eventually, closeAfterEach } from '../helpers'
import { bullConnection, gate, canonical, richData, asStored, countsReach, sleep } from './compat-helpers'

type Side = 'ferroq' | 'bullmq'

const track = closeAfterEach()

// The two libraries behind one loose interface (their Queue/Worker/Job shapes match).
function queueOf(side: Side, name: string): any {
  return track(side === 'ferroq'
    ? new Queue(name, { connection: connection() })
    : new bullmq.Queue(name, { connection: bullConnection() }))
}
function workerOf(side: Side, name: string, processor: (job: any) => Promise<unknown>, opts: Record<string, unknown> = {}): any {
  return track(side === 'ferroq'
    ? new Worker(name, processor, { connection: connection(), ...opts })
    : new bullmq.Worker(name, processor, { connection: bullConnection(), ...opts }))
}

/** The fields a reader reports, normalised so both libraries' Job objects compare. */
function view(job: any) {
  return {
    id: job.id,
    name: job.name,
    data: job.data,
    opts: canonical(job.opts),
    returnvalue: job.returnvalue,
    progress: job.progress,
    attemptsMade: job.attemptsMade,
    attemptsStarted: job.attemptsStarted,
    stalledCounter: job.stalledCounter,
    failedReason: job.failedReason,
    stacktraceLength: (job.stacktrace || []).length,
    timestamp: job.timestamp,
    delay: job.delay,
    priority: job.priority,
    processedOn: typeof job.processedOn === 'number' && job.processedOn > 0,
    finishedOn: typeof job.finishedOn === 'number' && job.finishedOn > 0,
  }
}

const STATES = ['completed', 'failed', 'active', 'waiting', 'prioritized', 'delayed'] as const

describe.each<[Side, Side]>([
  ['ferroq', 'bullmq'],
  ['bullmq', 'ferroq'],
])('jobs written by %s, read by %s and by itself', (writer, other) => {
  test('every state reads the same through getJob, getState, getJobCounts and getJobs', async () => {
    const name = queueName(`read-${writer}`)
    const wq = queueOf(writer, name)
    const done = await wq.add('done', richData('done'), { removeOnComplete: 10, keepLogs: 5 })
    const fail = await wq.add('fail', { k: 'fail' }, { attempts: 2, backoff: { type: 'fixed', delay: 10 }, stackTraceLimit: 5 })
    const started = gate()
    const release = gate()
    const worker = workerOf(writer, name, async (job) => {
      if (job.name === 'done') {
        await job.updateProgress({ phase: 'end', pct: 100 })
        await job.log('done line')
        await job.log('second line')
        await job.log('third line')
        return { ok: true, list: [1, 'a', null], text: 'ünï/code' }
      }
      if (job.name === 'fail') throw new Error(`nope #${job.attemptsMade + 1}`)
      started.open()
      await release.promise
      return 'released'
    })
    // Cleanup runs in reverse: the held job is let go before the worker is closed, even on failure.
    track({ close: async () => release.open() })
    await countsReach(wq, { completed: 1, failed: 1 })
    const busy = await wq.add('busy', { k: 'busy' }, { attempts: 3 })
    await started.promise
    // The worker (concurrency 1) is held by `busy`; these stay where they are put.
    const waiting = await wq.add('waiting', { k: 'waiting' }, { jobId: 'custom-waiting', removeOnFail: { count: 3, age: 60 } })
    const prio = await wq.add('prio', { k: 'prio' }, { priority: 3, attempts: 4, backoff: 100 })
    const later = await wq.add('later', { k: 'later' }, { delay: 60000, attempts: 2, backoff: { type: 'exponential', delay: 500 } })

    const bq = writer === 'bullmq' ? wq : queueOf('bullmq', name)
    const fq = writer === 'ferroq' ? wq : queueOf('ferroq', name)
    const ids = { completed: done.id, failed: fail.id, active: busy.id, waiting: waiting.id, prioritized: prio.id, delayed: later.id }
    expect(ids.waiting).toBe('custom-waiting')

    // What every reader must report, per state.
    const expected: Record<string, Partial<ReturnType<typeof view>>> = {
      completed: {
        name: 'done', data: asStored(richData('done')) as any, returnvalue: { ok: true, list: [1, 'a', null], text: 'ünï/code' },
        progress: { phase: 'end', pct: 100 }, attemptsMade: 1, attemptsStarted: 1, failedReason: undefined,
        stacktraceLength: 0, processedOn: true, finishedOn: true,
        opts: canonical({ attempts: 0, removeOnComplete: 10, keepLogs: 5 }) as any,
      },
      failed: {
        name: 'fail', returnvalue: null, progress: 0, attemptsMade: 2, attemptsStarted: 2, failedReason: 'nope #2',
        // delay is 0 again: the backoff's delay was reset when the retry was promoted.
        stacktraceLength: 2, processedOn: true, finishedOn: true, delay: 0,
        opts: canonical({ attempts: 2, backoff: { type: 'fixed', delay: 10 }, stackTraceLimit: 5 }) as any,
      },
      active: {
        name: 'busy', returnvalue: null, attemptsMade: 0, attemptsStarted: 1, failedReason: undefined,
        stacktraceLength: 0, processedOn: true, finishedOn: false, opts: canonical({ attempts: 3 }) as any,
      },
      waiting: {
        id: 'custom-waiting', name: 'waiting', data: { k: 'waiting' }, attemptsMade: 0, attemptsStarted: 0, processedOn: false,
        finishedOn: false, delay: 0, priority: 0,
        opts: canonical({ attempts: 0, jobId: 'custom-waiting', removeOnFail: { count: 3, age: 60 } }) as any,
      },
      prioritized: {
        name: 'prio', priority: 3, delay: 0, attemptsStarted: 0, processedOn: false,
        opts: canonical({ attempts: 4, priority: 3, backoff: { type: 'fixed', delay: 100 } }) as any,
      },
      delayed: {
        name: 'later', delay: 60000, priority: 0, attemptsStarted: 0, processedOn: false, finishedOn: false,
        opts: canonical({ attempts: 2, delay: 60000, backoff: { type: 'exponential', delay: 500 } }) as any,
      },
    }

    for (const state of STATES) {
      const id = ids[state]!
      const bj = await bq.getJob(id)
      const fj = await fq.getJob(id)
      expect({ state, reader: 'bullmq', view: view(bj) }).toEqual({ state, reader: 'bullmq', view: expect.objectContaining(expected[state]) })
      expect({ state, reader: 'ferroq', view: view(fj) }).toEqual({ state, reader: 'ferroq', view: view(bj) })
      expect([state, await bj.getState(), await fj.getState()]).toEqual([state, state, state])
      expect([state, await bq.getJobState(id), await fq.getJobState(id)]).toEqual([state, state, state])
      // Stacktraces agree line by line, not only in length.
      expect(fj.stacktrace).toEqual(bj.stacktrace)
    }
    expect((await fq.getJob(ids.failed!)).stacktrace[1]).toContain('nope #2')

    // The active job is locked by the writer's worker: neither side removes it.
    expect(await bq.remove(ids.active!)).toBe(0)
    expect(await fq.remove(ids.active!)).toBe(0)
    await expect((await bq.getJob(ids.active!)).remove()).rejects.toThrow(/locked/)
    await expect((await fq.getJob(ids.active!)).remove()).rejects.toThrow(/locked/)

    const counts = { active: 1, completed: 1, delayed: 1, failed: 1, prioritized: 1, waiting: 1, 'waiting-children': 0 }
    expect(await bq.getJobCounts()).toEqual(counts)
    expect(await fq.getJobCounts()).toEqual(counts)
    const some = ['wait', 'paused', 'waiting', 'active', 'delayed']
    expect(await fq.getJobCounts(...some)).toEqual(await bq.getJobCounts(...some))
    expect(await fq.count()).toBe(await bq.count())
    expect(await fq.getJobCountByTypes('completed', 'failed')).toBe(2)
    expect(await bq.getJobCountByTypes('completed', 'failed')).toBe(2)

    const idsOf = (jobs: any[]) => jobs.map((j) => j.id)
    for (const state of STATES) {
      expect([state, idsOf(await fq.getJobs([state]))]).toEqual([state, idsOf(await bq.getJobs([state]))])
      expect([state, idsOf(await fq.getJobs([state]))]).toEqual([state, [ids[state]]])
    }
    for (const asc of [false, true]) {
      const all = ['completed', 'failed', 'delayed', 'waiting', 'prioritized', 'active']
      expect(idsOf(await fq.getJobs(all, 0, -1, asc))).toEqual(idsOf(await bq.getJobs(all, 0, -1, asc)))
      expect(idsOf(await fq.getJobs(all, 0, -1, asc)).sort()).toEqual(Object.values(ids).sort())
    }
    expect(idsOf(await fq.getCompleted())).toEqual(idsOf(await bq.getCompleted()))
    expect(idsOf(await fq.getFailed())).toEqual(idsOf(await bq.getFailed()))
    expect(idsOf(await fq.getActive())).toEqual(idsOf(await bq.getActive()))
    expect(idsOf(await fq.getDelayed())).toEqual(idsOf(await bq.getDelayed()))
    expect(idsOf(await fq.getPrioritized())).toEqual(idsOf(await bq.getPrioritized()))
    expect(idsOf(await fq.getWaiting())).toEqual(idsOf(await bq.getWaiting()))
    expect(await fq.getJobLogs(ids.completed!)).toEqual(await bq.getJobLogs(ids.completed!))
    expect(await fq.getJobLogs(ids.completed!)).toEqual({ logs: ['done line', 'second line', 'third line'], count: 3 })
    for (const [start, end, asc] of [[0, 0, true], [1, -1, true], [0, 1, false], [1, 5, false]] as const) {
      expect([start, end, asc, await fq.getJobLogs(ids.completed!, start, end, asc)])
        .toEqual([start, end, asc, await bq.getJobLogs(ids.completed!, start, end, asc)])
    }

    release.open()
    await countsReach(bq, { active: 0, completed: 4 })
    expect((await fq.getJob(ids.active!)).returnvalue).toBe('released')
    await worker.close()
    // The other side's worker finishes what is left (the delayed job stays delayed).
    const rest: string[] = []
    const otherWorker = workerOf(other, name, async (job) => {
      rest.push(job.name)
      return job.name
    })
    await countsReach(fq, { completed: 4, waiting: 0, prioritized: 0, delayed: 1 })
    expect(rest).toEqual([])
    await otherWorker.close()
  })

  test('paging through the getters gives the same pages', async () => {
    const name = queueName(`page-${writer}`)
    const wq = queueOf(writer, name)
    for (let i = 0; i < 7; i++) await wq.add(`w${i}`, { i })
    for (let i = 0; i < 5; i++) await wq.add(`p${i}`, { i }, { priority: 1 + (i % 2) })
    for (let i = 0; i < 5; i++) await wq.add(`d${i}`, { i }, { delay: 60000 + i * 10 })
    const bq = writer === 'bullmq' ? wq : queueOf('bullmq', name)
    const fq = writer === 'ferroq' ? wq : queueOf('ferroq', name)
    const idsOf = (jobs: any[]) => jobs.map((j) => j.id)
    for (const state of ['waiting', 'prioritized', 'delayed']) {
      for (const asc of [false, true]) {
        for (const [start, end] of [[0, 2], [2, 4], [3, -1], [0, 0]]) {
          expect([state, asc, start, end, idsOf(await fq.getJobs([state], start, end, asc))])
            .toEqual([state, asc, start, end, idsOf(await bq.getJobs([state], start, end, asc))])
        }
      }
    }
  })
})

describe('the same add stores the same job hash', () => {
  const variants: [string, unknown, Record<string, unknown>][] = [
    ['plain', richData('plain'), {}],
    ['delayed', { a: 1 }, { delay: 60000 }],
    ['prioritized', { a: 2 }, { priority: 7 }],
    ['custom', { a: 3 }, { jobId: 'the-id' }],
    ['fixed', { a: 4 }, { attempts: 3, backoff: { type: 'fixed', delay: 50 } }],
    ['exponential', { a: 5 }, { attempts: 5, backoff: { type: 'exponential', delay: 20, jitter: 0.5 } }],
    ['number-backoff', { a: 6 }, { attempts: 2, backoff: 250 }],
    ['lifo', { a: 7 }, { lifo: true }],
    ['keep', { a: 8 }, { removeOnComplete: true, removeOnFail: { age: 10, count: 2 }, keepLogs: 3, stackTraceLimit: 4 }],
    ['dedup', { a: 9 }, { deduplication: { id: 'dd', ttl: 60000 } }],
    ['user-key', { a: 10 }, { myOwnKey: 'x/y', timestamp: 1700000000000 }],
    ['empty', {}, { delay: 0, priority: 0 }],
    ['odd-id', { a: 11 }, { jobId: 'dir/file name ключ' }],
    ['delayed-timestamp', { a: 12 }, { delay: 5000, timestamp: Date.now() - 1000, priority: 3 }],
    ['telemetry', { a: 13 }, { telemetry: { metadata: 'trace-context', omitContext: true } }],
  ]

  test.each(variants)('%s', async (_tag, data, opts) => {
    const r = new IORedis(process.env.REDIS_URL!)
    track({ close: async () => r.disconnect() })
    const bName = queueName('hash-b')
    const fName = queueName('hash-f')
    const bq = queueOf('bullmq', bName)
    const fq = queueOf('ferroq', fName)
    const bj = await bq.add('job', data, opts)
    const fj = await fq.add('job', data, opts)
    expect(fj.id).toBe(bj.id)
    const bh = await r.hgetall(`bull:${bName}:${bj.id}`)
    const fh = await r.hgetall(`bull:${fName}:${fj.id}`)
    const norm = (h: Record<string, string>) => {
      const { timestamp, opts: o, data: d, ...rest } = h
      return { ...rest, data: JSON.parse(d), opts: canonical(JSON.parse(o)), hasTimestamp: Number(timestamp) > 0 }
    }
    expect(norm(fh)).toEqual(norm(bh))
    // And both readers decode either hash to the same Job fields.
    const bqf = queueOf('bullmq', fName)
    const fqb = queueOf('ferroq', bName)
    for (const [b, f] of [[bq, fqb], [bqf, fq]]) {
      const [x, y] = [await b.getJob(bj.id!), await f.getJob(bj.id!)]
      expect(view(y)).toEqual(view(x))
      // What was asked for, with the stored normalisations (a number backoff becomes fixed).
      const asked: Record<string, unknown> = { attempts: 0, ...opts }
      if (typeof asked.backoff === 'number') asked.backoff = { type: 'fixed', delay: asked.backoff }
      expect(canonical(y.opts)).toEqual(canonical(asked))
    }
    if ((opts as any).timestamp) expect(fh.timestamp).toBe(bh.timestamp)
    // The same place in the same structure, with the same score encoding.
    for (const key of ['wait', 'prioritized', 'delayed']) {
      const type = await r.type(`bull:${bName}:${key}`)
      expect([key, await r.type(`bull:${fName}:${key}`)]).toEqual([key, type])
    }
    if ((opts as any).priority > 0 && !((opts as any).delay > 0)) {
      expect(await r.zscore(`bull:${fName}:prioritized`, fj.id!)).toBe(await r.zscore(`bull:${bName}:prioritized`, bj.id!))
    }
    if ((opts as any).delay > 0) {
      const due = (s: string | null) => Math.floor(Number(s) / 4096)
      const bs = await r.zscore(`bull:${bName}:delayed`, bj.id!)
      const fs = await r.zscore(`bull:${fName}:delayed`, fj.id!)
      expect(Math.abs(due(fs) - due(bs))).toBeLessThan(1000)
      expect(due(fs)).toBe(Number(fh.timestamp) + (opts as any).delay)
      expect(due(bs)).toBe(Number(bh.timestamp) + (opts as any).delay)
    }
    expect(await r.get(`bull:${fName}:id`)).toBe(await r.get(`bull:${bName}:id`))
    const markers = async (q: string) => (await r.zrange(`bull:${q}:marker`, 0, -1))
    expect(await markers(fName)).toEqual(await markers(bName))
    // Same events with the same fields; a delayed event's due time is compared as due - timestamp.
    const eventsOf = async (q: string, ts: string) => (await r.xrange(`bull:${q}:events`, '-', '+'))
      .map(([, f]) => f.map((x, i) => (i > 0 && f[i - 1] === 'delay' ? String(Number(x) - Number(ts)) : x)))
    expect(await eventsOf(fName, fh.timestamp)).toEqual(await eventsOf(bName, bh.timestamp))
  })
})

describe('options bullmq refuses at add time are refused by ferroq too', () => {
  const refused: [string, unknown, Record<string, unknown>][] = [
    ['data over sizeLimit', { text: 'x'.repeat(100) }, { sizeLimit: 50 }],
    ['integer custom id', {}, { jobId: '123' }],
    ['custom id with one colon', {}, { jobId: 'a:b' }],
    ['float priority', {}, { priority: 1.5 }],
    ['priority over the limit', {}, { priority: 2097153 }],
    ['jitter over 1', {}, { attempts: 2, backoff: { type: 'fixed', delay: 10, jitter: 2 } }],
    ['deduplication without id', {}, { deduplication: { ttl: 100 } }],
    ['removed debounce option', {}, { debounce: { id: 'x' } }],
  ]
  test.each(refused)('%s', async (_tag, data, opts) => {
    const name = queueName('refused')
    const bq = queueOf('bullmq', name)
    const fq = queueOf('ferroq', name)
    await expect(bq.add('j', data, opts)).rejects.toThrow()
    await expect(fq.add('j', data, opts)).rejects.toThrow()
    await expect(fq.addBulk([{ name: 'j', data, opts }])).rejects.toThrow()
    expect(await bq.getJobCounts('waiting', 'prioritized', 'delayed')).toEqual({ waiting: 0, prioritized: 0, delayed: 0 })
  })

  test('data at the sizeLimit is accepted by both', async () => {
    const name = queueName('size-ok')
    const bq = queueOf('bullmq', name)
    const fq = queueOf('ferroq', name)
    const data = { text: 'ü'.repeat(10) } // 10 two-byte characters: 31 bytes of JSON
    expect(Buffer.byteLength(JSON.stringify(data))).toBe(31)
    await bq.add('j', data, { sizeLimit: 31 })
    await fq.add('j', data, { sizeLimit: 31 })
    await expect(bq.add('j', data, { sizeLimit: 30 })).rejects.toThrow(/exceeds the limit/)
    await expect(fq.add('j', data, { sizeLimit: 30 })).rejects.toThrow('The size of job j exceeds the limit 30 bytes')
    expect(await bq.getWaitingCount()).toBe(2)
  })
})

describe('the same jobs processed by either worker leave the same traces', () => {
  test('per-job events and job hashes match between a bullmq and a ferroq worker', async () => {
    const jobs: [string, Record<string, unknown>][] = [
      ['ok', {}],
      ['retry-now', { attempts: 2 }],
      ['retry-later', { attempts: 2, backoff: { type: 'fixed', delay: 30 } }],
      ['fail', { attempts: 1 }],
      ['unrec', { attempts: 3 }],
      ['gone', { removeOnComplete: true }],
      ['gone-fail', { removeOnFail: true }],
      ['prio', { priority: 2 }],
      ['no-limit', { attempts: 2, stackTraceLimit: 0 }],
      ['undef', {}],
      ['no-stack', {}],
      ['thrown-object', {}],
    ]
    const r = new IORedis(process.env.REDIS_URL!)
    track({ close: async () => r.disconnect() })
    const trace: Record<Side, { events: Record<string, string[][]>; hashes: Record<string, Record<string, unknown>> }> = {} as any
    for (const side of ['bullmq', 'ferroq'] as Side[]) {
      const name = queueName(`trace-${side}`)
      const q = queueOf('bullmq', name)
      for (const [n, o] of jobs) await q.add(n, { n }, o)
      const Unrecoverable = side === 'bullmq' ? bullmq.UnrecoverableError : require('../..').UnrecoverableError
      const w = workerOf(side, name, async (job: any) => {
        switch (job.name) {
          case 'ok': return { v: 1, s: 'x/y' }
          case 'retry-now':
          case 'retry-later': if (job.attemptsMade === 0) throw new Error(`${job.name} first`); return 'second'
          case 'unrec': throw new Unrecoverable('no way')
          case 'gone': return 1
          case 'prio': return 'p'
          case 'undef': return undefined
          case 'no-stack': {
            const e = new Error('bare error')
            delete (e as any).stack
            throw e
          }
          case 'thrown-object': throw { name: 'Custom', message: 'plain object' } // eslint-disable-line no-throw-literal
          default: throw new Error(`${job.name} failed`)
        }
      }, { name: 'tracer' })
      await countsReach(q, { completed: 5, failed: 5 })
      await w.close()
      const entries = await r.xrange(`bull:${name}:events`, '-', '+')
      const events: Record<string, string[][]> = {}
      for (const [, f] of entries) {
        const o: Record<string, string> = {}
        for (let i = 0; i < f.length; i += 2) o[f[i]] = f[i + 1]
        if (!o.jobId) continue // drained: timing-dependent, not per job
        // The due time of a delayed event is a clock reading; keep only that it is one.
        if (o.event === 'delayed') o.delay = Number(o.delay) > 1e12 ? 'due-ms' : o.delay
        ;(events[o.jobId] ||= []).push(f.map((x, i) => (i % 2 === 1 && f[i - 1] === 'delay' ? o.delay : x)))
      }
      const hashes: Record<string, Record<string, unknown>> = {}
      for (let id = 1; id <= jobs.length; id++) {
        const h = await r.hgetall(`bull:${name}:${id}`)
        const { timestamp, processedOn, finishedOn, stacktrace, ...rest } = h
        hashes[id] = {
          ...rest,
          timestamp: !!timestamp, processedOn: !!processedOn, finishedOn: !!finishedOn,
          stacktrace: stacktrace === undefined ? undefined : JSON.parse(stacktrace).length,
        }
      }
      trace[side] = { events, hashes }
    }
    for (let id = 1; id <= jobs.length; id++) {
      const tag = jobs[id - 1][0]
      expect([tag, trace.ferroq.events[id]]).toEqual([tag, trace.bullmq.events[id]])
      expect([tag, trace.ferroq.hashes[id]]).toEqual([tag, trace.bullmq.hashes[id]])
    }
  })
})

describe('bullmq and ferroq workers on one queue', () => {
  test('200 jobs from both producers are processed exactly once between them', async () => {
    const name = queueName('mixed')
    const bq = queueOf('bullmq', name)
    const fq = queueOf('ferroq', name)
    const seen = new Map<string, string[]>()
    const proc = (who: string) => async (job: any) => {
      seen.set(job.id, [...(seen.get(job.id) || []), who])
      await sleep(1 + (Number(job.data.i) % 3))
      return { who, i: job.data.i }
    }
    const bw = workerOf('bullmq', name, proc('bullmq'), { concurrency: 5 })
    const fw = workerOf('ferroq', name, proc('ferroq'), { concurrency: 5 })
    await bw.waitUntilReady()
    await fw.waitUntilReady()
    const N = 200
    const half = Array.from({ length: N / 2 }, (_, i) => i)
    // Interleave producers: bullmq adds the even jobs, ferroq the odd ones, a few with priority or a short delay.
    const optsFor = (i: number) => (i % 10 === 3 ? { priority: 2 } : i % 10 === 7 ? { delay: 20 } : {})
    await Promise.all([
      bq.addBulk(half.map((k) => ({ name: 'm', data: { i: 2 * k }, opts: optsFor(2 * k) }))),
      fq.addBulk(half.map((k) => ({ name: 'm', data: { i: 2 * k + 1 }, opts: optsFor(2 * k + 1) }))),
    ])
    await countsReach(fq, { completed: N }, 20000)
    await bw.close()
    await fw.close()

    expect(seen.size).toBe(N)
    const twice = [...seen].filter(([, w]) => w.length !== 1)
    expect(twice).toEqual([])
    const by = { bullmq: 0, ferroq: 0 } as Record<string, number>
    for (const [, [w]] of seen) by[w] += 1
    expect(by.bullmq).toBeGreaterThan(0)
    expect(by.ferroq).toBeGreaterThan(0)
    const counts = { active: 0, completed: N, delayed: 0, failed: 0, prioritized: 0, waiting: 0, 'waiting-children': 0 }
    expect(await bq.getJobCounts()).toEqual(counts)
    expect(await fq.getJobCounts()).toEqual(counts)
    // Each stored result names the worker that ran it, whichever side reads it.
    const completed = await bq.getCompleted()
    expect(completed).toHaveLength(N)
    for (const j of completed.slice(0, 20)) {
      expect(j.returnvalue.who).toBe(seen.get(j.id!)![0])
      expect((await fq.getJob(j.id!))!.returnvalue).toEqual(j.returnvalue)
      expect(j.attemptsMade).toBe(1)
    }
    const r = new IORedis(process.env.REDIS_URL!)
    try {
      expect(await r.llen(`bull:${name}:active`)).toBe(0)
      expect(await r.keys(`bull:${name}:*:lock`)).toEqual([])
    } finally {
      r.disconnect()
    }
  })

  test.each<[Side, Side, number]>([
    ['bullmq', 'ferroq', 0],
    ['ferroq', 'bullmq', 0],
    ['bullmq', 'ferroq', 1],
    ['ferroq', 'bullmq', 1],
  ])('a job added by %s and left active without a lock (a crashed worker) is recovered by a %s worker (stalled before: %d)', async (producer, alive, stalledBefore) => {
    const name = queueName(`stall-${alive}`)
    const pq = queueOf(producer, name)
    const { id } = await pq.add('s', { k: 1 })
    const r = new IORedis(process.env.REDIS_URL!)
    track({ close: async () => r.disconnect() })
    // What a worker that fetched the job and then died leaves behind (its lock has expired).
    expect(await r.rpoplpush(`bull:${name}:wait`, `bull:${name}:active`)).toBe(id)
    await r.hset(`bull:${name}:${id}`, 'processedOn', Date.now())
    await r.hincrby(`bull:${name}:${id}`, 'ats', 1)
    if (stalledBefore) await r.hset(`bull:${name}:${id}`, 'stc', stalledBefore)
    const runs: string[] = []
    const failed: [string, string][] = []
    const worker = workerOf(alive, name, async (job: any) => {
      runs.push(job.id)
      return 'recovered'
    }, { stalledInterval: 100, maxStalledCount: 1 })
    worker.on('failed', (job: any, err: Error) => failed.push([job.id, err.message]))
    const bq = queueOf('bullmq', name)
    const fq = queueOf('ferroq', name)
    if (stalledBefore === 0) {
      await eventually(async () => (await bq.getJobState(id!)) === 'completed')
      const job = (await bq.getJob(id!))!
      expect([job.returnvalue, job.stalledCounter, job.attemptsStarted, job.attemptsMade, runs]).toEqual(['recovered', 1, 2, 1, [id]])
    } else {
      // Past maxStalledCount: the stalled check marks it (defa) and the worker fails it unseen.
      await eventually(async () => (await bq.getJobState(id!)) === 'failed')
      await eventually(() => failed.length === 1)
      expect(failed).toEqual([[id, 'job stalled more than allowable limit']])
      for (const job of [(await bq.getJob(id!))!, (await fq.getJob(id!))!]) {
        expect([job.failedReason, job.stalledCounter, job.attemptsMade, job.stacktrace.length, runs])
          .toEqual(['job stalled more than allowable limit', 2, 1, 1, []])
      }
      expect(await r.hexists(`bull:${name}:${id}`, 'defa')).toBe(0)
    }
    await worker.close()
  })
  test.each<[Side, Side]>([
    ['ferroq', 'bullmq'],
    ['bullmq', 'ferroq'],
  ])('a long job held by a %s worker is not taken for stalled by a %s worker\'s checker', async (holder, checker) => {
    const name = queueName(`lock-${holder}`)
    const q = queueOf(holder, name)
    const held = gate()
    const release = gate()
    const runs: string[] = []
    const hw = workerOf(holder, name, async (job: any) => {
      runs.push(job.id)
      held.open()
      await release.promise
      return 'held'
    }, { lockDuration: 300, lockRenewTime: 100 })
    track({ close: async () => release.open() })
    const { id } = await q.add('long', {})
    await held.promise
    // The checker runs every 50 ms, many times over the lock's lifetime; renewals must keep the job.
    const cw = workerOf(checker, name, async () => 'never', { stalledInterval: 50 })
    await sleep(900)
    release.open()
    await eventually(async () => (await q.getJobState(id!)) === 'completed')
    const job = await q.getJob(id!)
    expect([job.returnvalue, job.stalledCounter, job.attemptsStarted, runs]).toEqual(['held', 0, 1, [id]])
    await cw.close()
    await hw.close()
  })

  test.each<[Side, Side]>([
    ['bullmq', 'ferroq'],
    ['ferroq', 'bullmq'],
  ])('pause by %s stops a %s worker; resume restarts it', async (pauser, workerSide) => {
    const name = queueName(`pause-${pauser}`)
    const pq = queueOf(pauser, name)
    const oq = queueOf(pauser === 'bullmq' ? 'ferroq' : 'bullmq', name)
    await pq.pause()
    expect(await oq.isPaused()).toBe(true)
    const done: string[] = []
    const w = workerOf(workerSide, name, async (job: any) => { done.push(job.name) }, { drainDelay: 0.2 })
    await oq.add('a', {})
    await pq.add('b', {})
    await sleep(300)
    expect(done).toEqual([])
    expect(await oq.getJobCounts('waiting', 'paused')).toEqual({ waiting: 2, paused: 0 })
    await oq.resume()
    expect(await pq.isPaused()).toBe(false)
    await eventually(() => done.length === 2)
    expect(done).toEqual(['a', 'b'])
    await w.close()
  })

  test('deduplication ids are shared between producers and released by either worker', async () => {
    const name = queueName('dedup')
    const bq = queueOf('bullmq', name)
    const fq = queueOf('ferroq', name)
    const first = await bq.add('d', { n: 1 }, { deduplication: { id: 'same' } })
    const second = await fq.add('d', { n: 2 }, { deduplication: { id: 'same' } })
    expect(second.id).toBe(first.id)
    expect(await fq.getJobCounts('waiting')).toEqual({ waiting: 1 })
    const fw = workerOf('ferroq', name, async (job: any) => job.data.n)
    await eventually(async () => (await bq.getJobState(first.id!)) === 'completed')
    await fw.close()
    // Finished: the id is free again, for bullmq too.
    const third = await bq.add('d', { n: 3 }, { deduplication: { id: 'same' } })
    expect(third.id).not.toBe(first.id)
    expect((await fq.getJob(third.id!))!.deduplicationId).toBe('same')
    const fourth = await fq.add('d', { n: 4 }, { deduplication: { id: 'same' } })
    expect(fourth.id).toBe(third.id)
    const bw = workerOf('bullmq', name, async (job: any) => job.data.n)
    await eventually(async () => (await fq.getJobState(third.id!)) === 'completed')
    await bw.close()
    const fifth = await fq.add('d', { n: 5 }, { deduplication: { id: 'same' } })
    expect([first.id, third.id]).not.toContain(fifth.id)
  })
  test('each side lists the other side\'s workers (getWorkers)', async () => {
    const name = queueName('workers')
    const bq = queueOf('bullmq', name)
    const fq = queueOf('ferroq', name)
    const bw = workerOf('bullmq', name, async () => 1, { name: 'bull-w' })
    const fw = workerOf('ferroq', name, async () => 1, { name: 'ferro-w' })
    await bw.waitUntilReady()
    await fw.waitUntilReady()
    const raw = (list: any[]) => list.map((c) => c.rawname).sort()
    const prefix = `bull:${Buffer.from(name).toString('base64')}:w:`
    await eventually(async () => (await bq.getWorkers()).length === 2 && (await fq.getWorkers()).length === 2)
    expect(raw(await bq.getWorkers())).toEqual([`${prefix}bull-w`, `${prefix}ferro-w`])
    expect(raw(await fq.getWorkers())).toEqual(raw(await bq.getWorkers()))
    expect((await fq.getWorkers()).map((c: any) => c.name)).toEqual([name, name])
    expect(await fq.getWorkersCount()).toBe(await bq.getWorkersCount())
    await bw.close()
    await fw.close()
    await eventually(async () => (await bq.getWorkersCount()) === 0 && (await fq.getWorkersCount()) === 0)
  })
})
