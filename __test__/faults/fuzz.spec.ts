// Malformed input through the public API, and corrupt job hashes written into
// Redis by another client. ferroq may accept or refuse each input, but a refusal
// is always an error with an ERR_FERROQ_* code: never a crash, a hang or a bare
// TypeError. Afterwards the queue still works.
import Redis from 'ioredis'
import { Queue, Worker, QueueEvents, Job } from '../..'
import { startRedis, RedisServer, within, sleep } from './support'

/* eslint-disable @typescript-eslint/no-explicit-any */
type Coded = Error & { code?: string }

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(async () => {
  await redis.stop()
})

function circular(): unknown {
  const o: Record<string, unknown> = { a: 1 }
  o.self = o
  return o
}

/** Values of every wrong kind, for any option or argument. */
const BAD: Array<[string, () => unknown]> = [
  ['-1', () => -1], ['-0', () => -0], ['1.5', () => 1.5], ['NaN', () => NaN], ['Infinity', () => Infinity],
  ['-Infinity', () => -Infinity], ['2^53', () => 2 ** 53], ['1e300', () => 1e300], ['0', () => 0],
  ['""', () => ''], ['"abc"', () => 'abc'], ['"5"', () => '5'], ['"-5"', () => '-5'], ['long string', () => 'x'.repeat(10000)],
  ['"\\u0000"', () => '\u0000'], ['":"', () => ':'], ['true', () => true], ['false', () => false], ['null', () => null],
  ['[]', () => []], ['[1,"a"]', () => [1, 'a']], ['{}', () => ({})], ['{a:1}', () => ({ a: 1 })],
  ['{type:"nope"}', () => ({ type: 'nope' })], ['{type:"fixed",delay:-5}', () => ({ type: 'fixed', delay: -5 })],
  ['{id:{}}', () => ({ id: {} })], ['{count:-3,age:"x"}', () => ({ count: -3, age: 'x' })], ['{max:0,duration:-1}', () => ({ max: 0, duration: -1 })],
  ['function', () => () => 1], ['symbol', () => Symbol('s')], ['bigint', () => BigInt(10)], ['Date', () => new Date(0)],
  ['circular', circular], ['null-proto', () => Object.create(null)], ['Buffer', () => Buffer.from('hi')],
]

const JOB_OPTS = ['jobId', 'delay', 'priority', 'lifo', 'attempts', 'backoff', 'removeOnComplete', 'removeOnFail', 'timestamp',
  'stackTraceLimit', 'keepLogs', 'sizeLimit', 'deduplication', 'debounce', 'repeat', 'parent', 'failParentOnFailure',
  'ignoreDependencyOnFailure', 'removeDependencyOnFailure', 'continueParentOnFailure', 'telemetry', 'prevMillis', 'repeatJobKey', 'unknownKey']
const WORKER_OPTS = ['concurrency', 'lockDuration', 'lockRenewTime', 'stalledInterval', 'maxStalledCount', 'drainDelay', 'limiter',
  'name', 'removeOnComplete', 'removeOnFail', 'skipStalledCheck', 'skipLockRenewal', 'metrics', 'settings', 'prefix', 'connection', 'maxDataBytes']
const QUEUE_OPTS = ['prefix', 'maxDataBytes', 'connection', 'defaultJobOptions']
const EVENTS_OPTS = ['lastEventId', 'blockingTimeout', 'prefix', 'connection']
const CONNECTION_FIELDS = ['url', 'host', 'port', 'username', 'password', 'db', 'tls']

interface Tally { calls: number; ok: number; coded: number; bad: string[] }

/** Runs `f`; a throw or rejection must carry an ERR_FERROQ_ code, and it must settle within 5 s. */
async function probe(t: Tally, what: string, f: () => unknown): Promise<unknown> {
  t.calls += 1
  try {
    const v = await within(Promise.resolve().then(f), 5000, what)
    t.ok += 1
    return v
  } catch (e) {
    const code = (e as Coded | undefined)?.code
    if (typeof code === 'string' && code.startsWith('ERR_FERROQ_')) t.coded += 1
    else t.bad.push(`${what}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`.slice(0, 300))
    return undefined
  }
}

test('thousands of malformed inputs: each is accepted or refused with a code; the queue still works after', async () => {
  const t: Tally = { calls: 0, ok: 0, coded: 0, bad: [] }
  const connection = { url: redis.url }
  const name = 'fuzz'
  const queue = new Queue(name, { connection })
  const Q = Queue as any
  const W = Worker as any
  const E = QueueEvents as any
  const closers: Array<() => Promise<unknown>> = []

  // Constructors: queue/worker names, queue options, worker options, connection fields.
  for (const [label, v] of BAD) {
    const made = await probe(t, `new Queue(${label})`, () => new Q(v(), { connection }))
    if (made) closers.push(() => (made as Queue).close())
    const w = await probe(t, `new Worker(${label})`, () => new W(v(), async () => 1, { connection, autorun: false }))
    if (w) closers.push(() => (w as Worker).close())
    await probe(t, `new Worker(name, processor=${label})`, async () => {
      const x = new W(name, v(), { connection, autorun: false })
      await x.close()
    })
    await probe(t, `new Queue(name, opts=${label})`, async () => new Q(name, v()).close())
    for (const k of QUEUE_OPTS) {
      await probe(t, `new Queue({ ${k}: ${label} })`, async () => new Q(name, { connection, [k]: v() }).close())
    }
    for (const k of WORKER_OPTS) {
      await probe(t, `new Worker({ ${k}: ${label} })`, async () => new W(name, async () => 1, { connection, autorun: false, [k]: v() }).close())
    }
    for (const k of EVENTS_OPTS) {
      await probe(t, `new QueueEvents({ ${k}: ${label} })`, async () => new E(name, { connection, autorun: false, [k]: v() }).close())
    }
    await probe(t, `new QueueEvents(${label})`, async () => new E(v(), { connection, autorun: false }).close())
    for (const k of CONNECTION_FIELDS) {
      // Nothing may connect anywhere but our server; a bad value must not leak a connection attempt elsewhere.
      await probe(t, `new Queue({ connection.${k}: ${label} })`, async () => new Q(name, { connection: { ...connection, [k]: v() } }).close())
    }
  }
  for (const close of closers) await close()

  // Queue methods with bad arguments.
  const q = queue as any
  for (const [label, v] of BAD) {
    await probe(t, `add(name=${label})`, () => q.add(v(), {}))
    await probe(t, `add(data=${label})`, () => q.add('j', v()))
    await probe(t, `add(opts=${label})`, () => q.add('j', {}, v()))
    for (const k of JOB_OPTS) await probe(t, `add({ ${k}: ${label} })`, () => q.add('j', { k }, { [k]: v() }))
    await probe(t, `add(backoff.delay=${label})`, () => q.add('j', {}, { attempts: 2, backoff: { type: 'fixed', delay: v() } }))
    await probe(t, `add(deduplication.id=${label})`, () => q.add('j', {}, { deduplication: { id: v() } }))
    await probe(t, `add(deduplication.ttl=${label})`, () => q.add('j', {}, { deduplication: { id: 'd', ttl: v() } }))
    await probe(t, `addBulk(${label})`, () => q.addBulk(v()))
    await probe(t, `addBulk([${label}])`, () => q.addBulk([v()]))
    await probe(t, `addBulk([{opts:${label}}])`, () => q.addBulk([{ name: 'j', data: {}, opts: v() }]))
    await probe(t, `getJob(${label})`, () => q.getJob(v()))
    await probe(t, `getJobState(${label})`, () => q.getJobState(v()))
    await probe(t, `getJobs(${label})`, () => q.getJobs(v()))
    await probe(t, `getJobs(start=${label})`, () => q.getJobs(['waiting'], v(), 10))
    await probe(t, `getJobs(end=${label})`, () => q.getJobs(['waiting'], 0, v()))
    await probe(t, `getJobCounts(${label})`, () => q.getJobCounts(v()))
    await probe(t, `getJobLogs(${label})`, () => q.getJobLogs(v()))
    await probe(t, `remove(${label})`, () => q.remove(v()))
    await probe(t, `clean(grace=${label})`, () => q.clean(v(), 10, 'completed'))
    await probe(t, `clean(limit=${label})`, () => q.clean(0, v(), 'completed'))
    await probe(t, `clean(type=${label})`, () => q.clean(0, 10, v()))
    await probe(t, `retryJobs(${label})`, () => q.retryJobs(v()))
    await probe(t, `promoteJobs(${label})`, () => q.promoteJobs(v()))
    await probe(t, `trimEvents(${label})`, () => q.trimEvents(v()))
    await probe(t, `getMetrics(${label})`, () => q.getMetrics(v()))
    await probe(t, `rateLimit(${label})`, () => q.rateLimit(v()))
    await probe(t, `getDeduplicationJobId(${label})`, () => q.getDeduplicationJobId(v()))
  }
  await q.rateLimit(0).catch(() => undefined)

  // Job methods on a real job.
  const job = (await queue.add('target', { v: 1 })) as any
  for (const [label, v] of BAD) {
    await probe(t, `job.updateProgress(${label})`, () => job.updateProgress(v()))
    await probe(t, `job.log(${label})`, () => job.log(v()))
    await probe(t, `job.moveToDelayed(${label})`, () => job.moveToDelayed(v(), 'tok'))
    await probe(t, `job.retry(${label})`, () => job.retry(v()))
  }

  // Payloads near and over maxDataBytes (counted in UTF-8 bytes of the JSON text).
  const LIMIT = 1_000_000
  const small = new Q('fuzz-size', { connection, maxDataBytes: LIMIT })
  const fits = await probe(t, 'data exactly at maxDataBytes', () => small.add('j', 'a'.repeat(LIMIT - 2)))
  const over = await probe(t, 'data 1 byte over maxDataBytes', () => small.add('j', 'a'.repeat(LIMIT - 1)))
  const overUtf8 = await probe(t, 'data over maxDataBytes in bytes, under in chars', () => small.add('j', 'é'.repeat(LIMIT / 2)))
  const overBulk = await probe(t, 'addBulk with one oversized job', () => small.addBulk([{ name: 'a', data: 1 }, { name: 'b', data: 'b'.repeat(LIMIT) }]))
  const defaultOver = await probe(t, '65 MB data with the default limit', () => queue.add('j', 'z'.repeat(65 * 1024 * 1024)))
  expect(fits).toBeDefined()
  expect([over, overUtf8, overBulk, defaultOver]).toEqual([undefined, undefined, undefined, undefined])
  expect(await small.count()).toBe(1)
  await small.close()

  console.log(`fuzz: ${t.calls} calls, ${t.ok} accepted, ${t.coded} refused with a code, ${t.bad.length} uncoded:\n${t.bad.slice(0, 40).join('\n')}`)
  expect(t.calls).toBeGreaterThan(2000)
  expect(t.bad).toEqual([])

  // The queue is not corrupted: every stored job reads back, and a normal job runs.
  const everything = await queue.getJobs(['waiting', 'delayed', 'prioritized', 'paused', 'active', 'completed', 'failed'])
  expect(everything.length).toBeGreaterThan(0)
  await queue.obliterate({ force: true })
  const normal = await queue.add('normal', { n: 2 })
  const worker = new Worker(name, async (j: Job) => j.data.n * 21, { connection })
  const errors: Error[] = []
  worker.on('error', (e) => errors.push(e))
  await within(new Promise((resolve) => worker.on('completed', (j: Job) => { if (j.id === normal.id) resolve(j) })), 10000, 'the normal job')
  expect((await queue.getJob(normal.id!))!.returnvalue).toBe(42)
  await worker.close()
  expect(errors).toEqual([])
  await queue.close()
})

test('corrupt job hashes written by another client fail cleanly; the worker keeps going; getters never crash', async () => {
  const name = 'corrupt'
  const connection = { url: redis.url }
  const queue = new Queue(name, { connection })
  const before = await queue.add('ok-before', { n: 1 })
  const raw = new Redis(redis.url)
  const base = `bull:${name}:`
  const now = Date.now()
  await raw.hset(`${base}bad-data`, { name: 'bad-data', data: '{oops', opts: '{}', timestamp: now, delay: 0, priority: 0 })
  await raw.hset(`${base}bad-opts`, { name: 'bad-opts', data: '{}', opts: '{"attempts":', timestamp: now, delay: 0, priority: 0 })
  await raw.hset(`${base}opts-array`, { name: 'opts-array', data: '{}', opts: '[1,2]', timestamp: now, delay: 0, priority: 0 })
  await raw.lpush(`${base}wait`, 'bad-data', 'bad-opts', 'opts-array')
  const after = await queue.add('ok-after', { n: 2 })

  // Getters on the corrupt jobs: a readable job or a coded error, nothing else.
  const t: Tally = { calls: 0, ok: 0, coded: 0, bad: [] }
  for (const id of ['bad-data', 'bad-opts', 'opts-array']) {
    await probe(t, `getJob(${id})`, () => queue.getJob(id))
    await probe(t, `getJobState(${id})`, () => queue.getJobState(id))
  }
  await probe(t, 'getJobs(waiting)', () => queue.getJobs(['waiting']))
  await probe(t, 'getWaiting()', () => queue.getWaiting())

  const failed = new Map<string, string>()
  const completed: string[] = []
  const processed: string[] = []
  const worker = new Worker(name, async (j: Job) => { processed.push(j.id!); return j.data.n }, { connection })
  const errors: Error[] = []
  worker.on('error', (e) => errors.push(e))
  worker.on('failed', (j: Job | undefined, e: Error) => { if (j) failed.set(j.id!, e.message) })
  worker.on('completed', (j: Job) => completed.push(j.id!))
  const deadline = Date.now() + 10000
  while (failed.size + completed.length < 5 && Date.now() < deadline) await sleep(20)

  for (const id of ['bad-data', 'bad-opts', 'opts-array']) {
    await probe(t, `getJob(${id}) after`, () => queue.getJob(id))
  }
  await probe(t, 'getJobs(failed) after', () => queue.getJobs(['failed']))
  await probe(t, 'getFailed() after', () => queue.getFailed())
  const states = Object.fromEntries(await Promise.all(['bad-data', 'bad-opts', 'opts-array'].map(async (id) => [id, await queue.getJobState(id)])))
  console.log(`corrupt: failed=${JSON.stringify([...failed])} completed=${JSON.stringify(completed)} states=${JSON.stringify(states)} ` +
    `getters: ${t.calls} calls, ${t.ok} ok, ${t.coded} coded, uncoded=${JSON.stringify(t.bad)}`)

  expect(t.bad).toEqual([])
  // Opts that parse to an array carry no settings: the job may run or fail, but it settles.
  expect(completed.filter((id) => id !== 'opts-array').sort()).toEqual([before.id, after.id].sort())
  expect(processed.filter((id) => id !== 'opts-array').sort()).toEqual([before.id, after.id].sort())
  expect(['completed', 'failed']).toContain(states['opts-array'])
  expect(failed.get('bad-data')).toMatch(/corrupt|JSON|data/i)
  expect(failed.get('bad-opts')).toMatch(/corrupt|JSON|opts/i)
  expect(states['bad-data']).toBe('failed')
  expect(states['bad-opts']).toBe('failed')
  const stored = await queue.getJob('bad-data').catch((e: Coded) => e)
  if (stored instanceof Error) expect((stored as Coded).code).toMatch(/^ERR_FERROQ_/)
  else expect(stored!.failedReason).toMatch(/corrupt|JSON|data/i)
  await worker.close()
  await raw.quit()
  await queue.close()
})
