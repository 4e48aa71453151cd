// Helpers shared by the compatibility specs (real bullmq 6.7.0 against ferroq).
import { eventually, store } from '../helpers'

/** bullmq/ioredis connection options for the test server. */
export function bullConnection(): { host: string; port: number } {
  const url = process.env.REDIS_URL
  if (store === 'memory') {
    throw new Error('bullmq needs a real Redis: mark this test testRedisOnly (__test__/helpers.ts) so memory:// runs skip it')
  }
  if (!url) throw new Error('REDIS_URL not set: run through jest (global setup starts redis-server)')
  const u = new URL(url)
  return { host: u.hostname, port: Number(u.port) }
}

/** A promise with its resolve exposed: processors block on it until the test opens it. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void
  const promise = new Promise<void>((r) => {
    open = r
  })
  return { promise, open }
}

/** A JSON value with object keys sorted and undefined dropped, for semantic comparison. */
export function canonical(v: unknown): unknown {
  if (v === undefined) return undefined
  const plain = JSON.parse(JSON.stringify(v))
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sort)
    if (x && typeof x === 'object') {
      return Object.fromEntries(
        Object.keys(x as object)
          .sort()
          .map((k) => [k, sort((x as Record<string, unknown>)[k])]),
      )
    }
    return x
  }
  return sort(plain)
}

/** Data exercising the JSON path: nesting, unicode, a Date (becomes an ISO string), slashes. */
export function richData(tag: string): Record<string, unknown> {
  return {
    tag,
    n: 42,
    float: 1.5,
    neg: -7,
    big: 1234567890123,
    flag: true,
    nothing: null,
    nested: { a: [1, 2, { b: 'c', d: [] }], empty: {}, deeper: { x: { y: { z: 'bottom' } } } },
    list: ['x', 1, false, null],
    unicode: 'héllo wörld — 日本語 — emoji 🚀 — quote " backslash \\ tab \t',
    slash: 'a/b/c',
    when: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)),
  }
}

/** What `richData` looks like after the JSON round trip every reader performs. */
export function asStored<T>(v: T): unknown {
  return JSON.parse(JSON.stringify(v))
}

/** Resolves once every `count` the queue-like object reports matches `want`. */
export async function countsReach(
  q: { getJobCounts: (...t: any[]) => Promise<Record<string, number>> },
  want: Record<string, number>,
  ms = 10000,
): Promise<void> {
  await eventually(async () => {
    const c = await q.getJobCounts(...Object.keys(want))
    return Object.keys(want).every((k) => c[k] === want[k])
  }, ms)
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Either library's queue, as the run-order test adds to it. */
type Adder = { add: (name: string, data: { i: number }, opts?: Record<string, unknown>) => Promise<{ id?: string }> }

/**
 * Adds the run-order test's jobs with `q`: plain, delayed (300 ms), two prioritized, a custom
 * id, a lifo job, another plain one, and a second job with the same custom id (not stored
 * twice). `data.i` numbers them; seven jobs are stored.
 */
/** The delay of the 'late' job: long enough that it is still delayed when the others have run, on a slow machine too. */
export const LATE_DELAY_MS = 1500

export async function addRunOrderJobs(q: Adder): Promise<void> {
  await q.add('plain1', { i: 1 })
  await q.add('late', { i: 2 }, { delay: LATE_DELAY_MS })
  await q.add('low', { i: 3 }, { priority: 10 })
  await q.add('high', { i: 4 }, { priority: 1 })
  const custom = await q.add('custom', { i: 5 }, { jobId: 'my-custom-id' })
  expect(custom.id).toBe('my-custom-id')
  await q.add('lifo', { i: 6 }, { lifo: true })
  await q.add('plain2', { i: 7 })
  const dup = await q.add('custom-again', { i: 8 }, { jobId: 'my-custom-id' })
  expect(dup.id).toBe('my-custom-id')
}

/** The order bullmq runs `addRunOrderJobs`' jobs in, by name. */
export const BULLMQ_RUN_ORDER = ['lifo', 'plain1', 'custom', 'plain2', 'high', 'low', 'late']

/** A processor that records each job's name (in run order) and id, and returns `data.i`. */
export function runRecorder() {
  const order: string[] = []
  const ids: Record<string, string> = {}
  const process = async (job: { name: string; id?: string; data: { i: number } }) => {
    order.push(job.name)
    ids[job.name] = job.id!
    return job.data.i
  }
  return { order, ids, process }
}
