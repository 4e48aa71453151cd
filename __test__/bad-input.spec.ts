// Bad input to the public API: every refusal is an Error with a stable
// ERR_FERROQ_* code whose message names the offending argument; nothing hangs,
// nothing is half-written, and neither a throwing user callback nor an odd
// thrown value takes the process down. Cases where BullMQ 6.7.0 refuses too
// (usually with a raw Redis or TypeError), or where ferroq silently dropped
// the value before (NaN turned into null by JSON), are listed here.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { FlowProducer, Job, Queue, QueueEvents, QueueEventsProducer, Worker, createAdminHandler, initializeQueues, sendPaymentReceipt, sendVerificationCode, shutdownQueues } from '..'
import { closeAfterEach, connection, next, queueName } from './helpers'

const INVALID = 'ERR_FERROQ_INVALID_OPTION'
const ROOT = path.resolve(__dirname, '..')

type Coded = Error & { code?: string }

/** What `f` threw or rejected with (undefined when it did neither). */
async function failureOf(f: () => unknown): Promise<Coded | undefined> {
  try {
    await f()
  } catch (e) {
    return e as Coded
  }
  return undefined
}

/** `f` throws or rejects with an Error coded `code` whose message matches `text`. */
async function expectCoded(f: () => unknown, text: RegExp, code = INVALID): Promise<void> {
  const err = await failureOf(f)
  expect(err).toBeInstanceOf(Error)
  expect(err!.code).toBe(code)
  expect(err!.message).toMatch(text)
}

const track = closeAfterEach()
const newQueue = (tag: string, opts: Record<string, unknown> = {}) =>
  track(new Queue(queueName(tag), { connection: connection(), ...opts }))

describe('NaN and Infinity in job options are refused, not stored as "not given"', () => {
  // JSON turns NaN and Infinity into null, which read as "option not given":
  // the job would run at once, with no retries or the default priority.
  const CASES: [string, Record<string, unknown>, RegExp][] = [
    ['delay NaN', { delay: NaN }, /opts\.delay: must be a finite number, got NaN/],
    ['delay Infinity', { delay: Infinity }, /opts\.delay: must be a finite number, got Infinity/],
    ['priority NaN', { priority: NaN }, /opts\.priority/],
    ['attempts NaN', { attempts: NaN }, /opts\.attempts/],
    ['attempts -Infinity', { attempts: -Infinity }, /opts\.attempts/],
    ['backoff.delay NaN', { attempts: 3, backoff: { type: 'fixed', delay: NaN } }, /opts\.backoff\.delay/],
    ['timestamp NaN', { timestamp: NaN }, /opts\.timestamp/],
    ['stackTraceLimit NaN', { stackTraceLimit: NaN }, /opts\.stackTraceLimit/],
    ['removeOnComplete.age Infinity', { removeOnComplete: { age: Infinity } }, /opts\.removeOnComplete\.age/],
    ['deduplication.ttl NaN', { deduplication: { id: 'd', ttl: NaN } }, /opts\.deduplication\.ttl/],
  ]

  test.each(CASES)('add and addBulk refuse %s and add nothing', async (_what, opts, text) => {
    const queue = newQueue('nan')
    await expectCoded(() => queue.add('j', { n: 1 }, opts), text)
    await expectCoded(() => queue.addBulk([{ name: 'ok', data: 1 }, { name: 'j', data: 2, opts }]), new RegExp(`jobs\\[1\\]\\.${text.source}`))
    expect(await queue.count()).toBe(0)
  })

  test('from the queue\'s defaultJobOptions, a flow child and a scheduler template', async () => {
    const queue = newQueue('nan-defaults', { defaultJobOptions: { attempts: NaN } })
    await expectCoded(() => queue.add('j', 1), /opts\.attempts: must be a finite number/)
    const flows = track(new FlowProducer({ connection: connection() }))
    const tree = { name: 'p', queueName: queue.name, children: [{ name: 'c', queueName: queue.name, opts: { delay: NaN } }] }
    await expectCoded(() => flows.add(tree), /flow\.children\[0\]\.opts\.delay: must be a finite number/)
    await expectCoded(() => flows.addBulk([tree]), /flows\[0\]\.children\[0\]\.opts\.delay/)
    const plain = newQueue('nan-scheduler')
    await expectCoded(() => plain.upsertJobScheduler('s', { every: 1000 }, { opts: { priority: NaN } }), /jobTemplate\.opts\.priority/)
    await expectCoded(() => plain.upsertJobScheduler('s', { every: NaN }), /repeatOpts\.every: must be a finite number/)
    expect(await queue.count()).toBe(0)
    expect(await plain.count()).toBe(0)
    expect(await plain.getJobSchedulersCount()).toBe(0)
  })

  test('job.changePriority refuses NaN instead of setting priority 0', async () => {
    const queue = newQueue('nan-priority')
    const job = await queue.add('j', 1, { priority: 5 })
    await expectCoded(() => job.changePriority({ priority: NaN }), /priority/)
    expect((await queue.getJob(job.id!))!.priority).toBe(5)
  })
})

describe('job and scheduler ids must be strings or numbers', () => {
  const BAD: [string, unknown, RegExp][] = [
    ['an object', {}, /got an object/],
    ['a symbol', Symbol('id'), /got a symbol/],
    ['a function', () => 1, /got a function/],
    ['NaN', NaN, /got NaN/],
    ['undefined', undefined, /got an undefined/],
  ]

  test.each(BAD)('%s is refused by every call that takes an id', async (_what, id, text) => {
    const queue = newQueue('ids')
    const flows = track(new FlowProducer({ connection: connection() }))
    const bad = id as string
    const calls: [string, () => unknown][] = [
      ['id', () => queue.remove(bad)],
      ['id', () => queue.getJobState(bad)],
      ['id', () => queue.getJobLogs(bad)],
      ['id', () => queue.getDeduplicationJobId(bad)],
      ['id', () => queue.removeDeduplicationKey(bad)],
      ['jobId', () => queue.updateJobProgress(bad, 1)],
      ['jobId', () => queue.addJobLog(bad, 'line')],
      ['id', () => queue.getJobScheduler(bad)],
      ['id', () => queue.removeJobScheduler(bad)],
      ['opts.id', () => flows.getFlow({ id: bad, queueName: queue.name })],
    ]
    if (id !== undefined) {
      calls.push(['jobSchedulerId', () => queue.upsertJobScheduler(bad, { every: 1000 })])
      // (Job.fromId answers undefined for any falsy id, NaN included, as BullMQ.)
      if (!(typeof id === 'number' && Number.isNaN(id))) calls.push(['jobId', () => Job.fromId(queue, bad)])
      calls.push(['opts.lastEventId', () => new QueueEvents(queue.name, { connection: connection(), lastEventId: bad })])
      calls.push(['id', () => queue.getJob(bad)])
    }
    for (const [field, call] of calls) await expectCoded(call, new RegExp(`invalid ${field.replace('.', '\\.')}: must be a string or a number, ${text.source}`))
  })

  test('getJob with no id resolves undefined, as BullMQ; numeric ids are their decimal text', async () => {
    const queue = newQueue('ids-ok')
    expect(await queue.getJob(undefined as unknown as string)).toBeUndefined()
    expect(await queue.getJob('')).toBeUndefined()
    const job = await queue.add('j', 1)
    expect((await queue.getJob(Number(job.id) as unknown as string))!.id).toBe(job.id)
    expect(await queue.getJobState(Number(job.id) as unknown as string)).toBe('waiting')
  })
})

describe('ranges, arrays and collaborators of the wrong type', () => {
  test('range bounds that are not integers', async () => {
    const queue = newQueue('ranges')
    await expectCoded(() => queue.getJobLogs('1', NaN), /invalid start: must be an integer, got NaN/)
    await expectCoded(() => queue.getJobLogs('1', 0, 1.5), /invalid end: must be an integer, got 1\.5/)
    await expectCoded(() => queue.getMetrics('completed', NaN), /invalid start/)
    await expectCoded(() => queue.getJobSchedulers(0, NaN), /invalid end/)
    await expectCoded(() => queue.getJobSchedulers('x' as unknown as number), /invalid start/)
  })

  test('worker.extendJobLocks without arrays, job.waitUntilFinished without QueueEvents', async () => {
    const queue = newQueue('collab')
    const worker = track(new Worker(queue.name, async () => 1, { connection: connection(), autorun: false }))
    await expectCoded(() => worker.extendJobLocks('1' as unknown as string[], ['t'], 1000), /jobIds/)
    await expectCoded(() => worker.extendJobLocks(null as unknown as string[], null as unknown as string[], 1000), /jobIds/)
    const job = await queue.add('j', 1)
    await expectCoded(() => job.waitUntilFinished(undefined as unknown as QueueEvents), /invalid queueEvents/)
  })

  test('flows that cannot be JSON or nest beyond the stack', async () => {
    const flows = track(new FlowProducer({ connection: connection() }))
    const name = queueName('flow-bad')
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    await expectCoded(() => flows.add({ name: 'p', queueName: name, opts: { extra: cyclic } as never }), /invalid flow: must be JSON-serialisable/)
    await expectCoded(() => flows.add({ name: 'p', queueName: name, opts: { extra: 5n } as never }), /invalid flow: must be JSON-serialisable/)
    let deep: Record<string, unknown> = { name: 'leaf', queueName: name }
    for (let i = 0; i < 20000; i++) deep = { name: 'n', queueName: name, children: [deep] }
    await expectCoded(() => flows.add(deep as never), /invalid flow: is nested too deeply/)
    const queue = newQueue('flow-bad-count')
    expect(await track(new Queue(name, { connection: connection() })).count()).toBe(0)
    expect(await queue.count()).toBe(0)
  })
})

describe('an unreachable Redis rejects; it is not waited on forever', () => {
  test('QueueEvents.waitUntilReady rejects with the connection error (and the reader keeps retrying)', async () => {
    const events = track(new QueueEvents(queueName('down'), { connection: { host: '127.0.0.1', port: 1 } }))
    const errors: Coded[] = []
    events.on('error', (e: Coded) => errors.push(e))
    await expectCoded(() => events.waitUntilReady(), /cannot reach Redis at 127\.0\.0\.1:1/, 'ERR_FERROQ_CONNECTION')
    // A second call while still down answers the same way.
    await expectCoded(() => events.waitUntilReady(), /127\.0\.0\.1:1/, 'ERR_FERROQ_CONNECTION')
    expect(errors.every((e) => e.code === 'ERR_FERROQ_CONNECTION')).toBe(true)
  })

  test('a reachable QueueEvents still resolves', async () => {
    const events = track(new QueueEvents(queueName('up'), { connection: connection() }))
    await expect(events.waitUntilReady()).resolves.toBe(events)
  })
})

describe('values Redis would refuse on every read', () => {
  test('a QueueEvents blockingTimeout past Redis\'s range still reads events, with no error', async () => {
    const queue = newQueue('block')
    const events = track(new QueueEvents(queue.name, { connection: connection(), blockingTimeout: 1e300 }))
    const errors: Coded[] = []
    events.on('error', (e: Coded) => errors.push(e))
    await events.waitUntilReady()
    const waiting = next<[{ jobId: string }]>(events, 'waiting')
    const job = await queue.add('j', 1)
    expect((await waiting)[0].jobId).toBe(job.id)
    expect(errors).toEqual([])
  })

  test('publishEvent refuses a field whose toString throws, naming it', async () => {
    const producer = track(new QueueEventsProducer(queueName('qep'), { connection: connection() }))
    const bad = { toString() { throw new Error('no text') } }
    await expectCoded(() => producer.publishEvent({ eventName: 'custom', v: bad } as never), /invalid args\.v: has no string form/)
  })
})

describe('odd values thrown or returned by processors fail the job; the process lives', () => {
  test.each([
    ['a string', () => { throw 'plain text' }, 'plain text'],
    ['undefined', () => Promise.reject(undefined), 'undefined'],
    ['null', () => { throw null }, 'null'],
    ['a number', () => { throw 42 }, '42'],
    ['a symbol', () => { throw Symbol('sym') }, 'Symbol(sym)'],
    ['a plain object with a message', () => Promise.reject({ message: 'from object' }), 'from object'],
  ] as [string, () => unknown, string][])('throwing %s', async (_what, processor, reason) => {
    const queue = newQueue('throws')
    const worker = track(new Worker(queue.name, processor, { connection: connection() }))
    const failed = next<[Job, Error]>(worker, 'failed')
    const job = await queue.add('j', 1)
    const [seen, err] = await failed
    expect(seen.id).toBe(job.id)
    expect(err).toBeInstanceOf(Error)
    expect(seen.failedReason).toBe(reason)
    expect(await queue.getJobState(job.id!)).toBe('failed')
  })

  test('in a child process: throwing getters, throwing thenables and throwing listeners', () => {
    // Each of these once escaped as an uncaught exception (the process died)
    // or left the job active forever; the child reports what happened.
    const code = `
      const { Queue, Worker } = require(${JSON.stringify(ROOT)})
      const connection = ${JSON.stringify(connection())}
      const name = ${JSON.stringify(queueName('child'))}
      const unreadable = () => { const e = new Error('x'); Object.defineProperty(e, 'message', { get() { throw new Error('getter') } }); return e }
      const processors = {
        'getter': () => { throw unreadable() },
        'then-throws': () => ({ then() { throw new Error('then boom') } }),
        'then-getter': () => ({ get then() { throw new Error('then getter boom') } }),
        'backoff-then': () => { throw new Error('retry me') },
        'fine': () => 1,
      }
      process.on('uncaughtException', (e) => { console.log(JSON.stringify({ uncaught: String(e && e.message) })); process.exit(3) })
      ;(async () => {
        const queue = new Queue(name, { connection })
        const worker = new Worker(name, (job) => processors[job.name](), {
          connection,
          settings: { backoffStrategy: () => ({ then() { throw new Error('strategy boom') } }) },
        })
        worker.on('error', () => {})
        worker.on('completed', () => { throw new Error('listener boom') })
        const out = {}
        await Promise.all(Object.keys(processors).map((n) => queue.add(n, 1, n === 'backoff-then' ? { attempts: 2, backoff: { type: 'custom' } } : {})))
        for (;;) {
          const failed = await queue.getFailed()
          if (failed.length === 4 && (await queue.getCompletedCount()) === 1) {
            for (const j of failed) out[j.name] = { reason: j.failedReason, attemptsMade: j.attemptsMade }
            break
          }
          await new Promise((r) => setTimeout(r, 20))
        }
        await worker.close()
        await queue.obliterate({ force: true })
        await queue.close()
        console.log(JSON.stringify(out))
      })().catch((e) => { console.log(JSON.stringify({ rejected: String(e && e.message) })); process.exit(2) })
    `
    const r = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, env: process.env, encoding: 'utf8', timeout: 60000 })
    expect(r.status).toBe(0)
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!)
    expect(out.getter.reason).toMatch(/could not be read/)
    expect(out['then-throws'].reason).toBe('then boom')
    expect(out['then-getter'].reason).toBe('then getter boom')
    // The strategy's thenable threw: the job's own backoff applies and the second attempt runs.
    expect(out['backoff-then']).toEqual({ reason: 'retry me', attemptsMade: 2 })
  })
})

describe('presets: arguments that are not JSON, processors that are not functions, NaN thresholds', () => {
  afterEach(() => shutdownQueues())

  test('email helpers refuse cyclic and BigInt arguments, and name a number given as an address', async () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    await expectCoded(() => sendVerificationCode('a@example.com', '123456', cyclic as never), /invalid sendVerificationCode arguments: must be JSON-serialisable/)
    await expectCoded(() => sendPaymentReceipt(5n as never, 'p', 'c'), /invalid sendPaymentReceipt arguments: must be JSON-serialisable/)
    await expectCoded(() => sendVerificationCode(5 as never, '123456', 'Ann'), /invalid email: "5" is not a valid email address/)
  })

  test('initializeQueues refuses processors that are not functions, before creating anything', async () => {
    const base = { connection: connection(), prefix: queueName('email'), logger: null }
    await expectCoded(() => initializeQueues({ ...base, processors: 'run' as never }), /invalid processors: must be/)
    await expectCoded(() => initializeQueues({ ...base, processors: { email: 5 } as never }), /invalid processors\.email: must be a function or/)
    await expectCoded(() => initializeQueues({ ...base, processors: { email: { 'send-welcome-email': 'x' } } as never }), /invalid processors\.email\.send-welcome-email: must be a function/)
  })

  test('createAdminHandler refuses NaN health thresholds (they read as "not given")', () => {
    const queue = newQueue('admin')
    const make = () => createAdminHandler({ queues: [queue], authorize: () => true, healthThresholds: { failed: NaN } })
    return expectCoded(make, /invalid healthThresholds\.failed: must be a finite number, got NaN/)
  })
})

describe('every exported native function turns a Rust panic into a JS error', () => {
  test('each #[napi] fn in src/binding is catch_unwind', () => {
    const missing: string[] = []
    let fns = 0
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name)
        if (e.isDirectory()) walk(p)
        if (!e.name.endsWith('.rs')) continue
        const lines = fs.readFileSync(p, 'utf8').split('\n')
        lines.forEach((line, i) => {
          if (!/^\s*#\[napi\b/.test(line)) return
          // The item the attribute is on: a fn, or an impl block, struct, ... (skipped).
          let j = i
          while (j < lines.length && !/^\s*(pub |impl |struct |enum |fn )/.test(lines[j])) j++
          if (!/^\s*pub (async )?fn /.test(lines[j] || '')) return
          fns++
          if (!/catch_unwind/.test(lines.slice(i, j).join(' '))) missing.push(`${path.relative(ROOT, p)}:${i + 1}`)
        })
      }
    }
    walk(path.join(ROOT, 'src/binding'))
    expect(fns).toBeGreaterThan(100)
    expect(missing).toEqual([])
  })
})
