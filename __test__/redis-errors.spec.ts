// Redis error replies provoked for real on private redis-servers, and what
// an app sees through the public API: a stable code per kind and a message
// that says what to do. (Out of memory: redis-full.spec.ts; NOAUTH and
// WRONGPASS: security.spec.ts; unreachable: errors.spec.ts and the fault suite.)
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import Redis from 'ioredis'
import { Queue, Worker, QueueEvents, Job } from '..'
import { eventually } from './helpers'

// eslint-disable-next-line @typescript-eslint/no-var-requires
const server = require('./setup/redis-server') as {
  startRedis(extraArgs?: string[]): Promise<{ url: string; port: number; stop(): Promise<void> }>
  ping(port: number): Promise<boolean>
}

type Coded = Error & { code?: string }
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection') }, (e: Coded) => e)

test('foreign data at one of the queue\'s keys: ERR_FERROQ_WRONG_TYPE naming the key', async () => {
  const redis = await server.startRedis()
  const r = new Redis(redis.url)
  try {
    await r.set('bull:foreign:wait', 'written by another program')
    const queue = new Queue('foreign', { connection: { url: redis.url } })
    const e = await failure(queue.add('j', {}))
    expect(e.code).toBe('ERR_FERROQ_WRONG_TYPE')
    expect(e.message).toContain('"bull:foreign:wait" holds a string, but ferroq keeps a list there')
    await queue.close()
  } finally {
    await r.quit()
    await redis.stop()
  }
})

test('a long script on another connection: ERR_FERROQ_REDIS_BUSY, and the queue works once it is killed', async () => {
  const redis = await server.startRedis(['--busy-reply-threshold', '50'])
  const killer = new Redis(redis.url)
  const spinner = new Redis(redis.url)
  const queue = new Queue('busy', { connection: { url: redis.url } })
  try {
    await queue.add('j', {})
    await killer.ping()
    const spinning = spinner.eval('while true do end', 0).catch((e: Error) => e)
    const e = (await eventually(() => queue.getJobCounts('wait').then(() => null, (err: Coded) => err)))!
    expect(e.code).toBe('ERR_FERROQ_REDIS_BUSY')
    expect(e.message).toContain('SCRIPT KILL')
    await killer.script('KILL')
    expect(await spinning).toBeInstanceOf(Error)
    expect(await queue.getJobCounts('wait')).toEqual({ wait: 1 })
  } finally {
    await queue.close()
    killer.disconnect()
    spinner.disconnect()
    await redis.stop()
  }
})

test('a read-only replica: ERR_FERROQ_REDIS_READONLY saying to use the master', async () => {
  const master = await server.startRedis()
  const replica = await server.startRedis(['--replicaof', '127.0.0.1', String(master.port)])
  const queue = new Queue('ro', { connection: { url: replica.url } })
  try {
    const e = await failure(queue.add('j', {}))
    expect(e.code).toBe('ERR_FERROQ_REDIS_READONLY')
    expect(e.message).toMatch(/read-only replica.*master/)
  } finally {
    await queue.close()
    await replica.stop()
    await master.stop()
  }
})

test('a Redis still loading its dataset: ERR_FERROQ_REDIS_LOADING for the queue; worker and QueueEvents wait and resume', async () => {
  // An honest LOADING: a real RDB load (the queue's jobs and 20,000 filler
  // keys), slowed per key by Redis's own `key-load-delay` setting.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferroq-loading-'))
  const seed = await server.startRedis(['--dir', dir])
  const queue = new Queue('loading', { connection: { url: seed.url } })
  const ids = (await queue.addBulk([1, 2, 3].map((n) => ({ name: 'j', data: { n } })))).map((j) => j.id!)
  await queue.close()
  const r = new Redis(seed.url)
  await r.eval("for i = 1, 20000 do redis.call('SET', 'filler' .. i, 'v') end return 1", 0)
  await r.save()
  await r.quit()
  await seed.stop()

  const child = spawn('redis-server', ['--port', String(seed.port), '--bind', '127.0.0.1', '--save', '', '--dir', dir,
    '--key-load-delay', '100', '--loading-process-events-interval-bytes', '1024'], { stdio: 'ignore' })
  const connection = { url: seed.url }
  const loading = new Queue('loading', { connection })
  let worker: Worker | undefined
  let events: QueueEvents | undefined
  try {
    // Listening (it answers LOADING) before the load ends.
    const e = (await eventually(() => loading.getJobCounts('wait').then(() => null, (err: Coded) => (err.code === 'ERR_FERROQ_REDIS_LOADING' ? err : null))))!
    expect(e.message).toContain('loading its dataset')

    // From the stream's start: the worker may finish every job before this reader's
    // first successful XREAD (it starts while Redis is still loading).
    events = new QueueEvents('loading', { connection, lastEventId: '0' })
    const eventErrors: Coded[] = []
    events.on('error', (err: Coded) => eventErrors.push(err))
    const seen = new Set<string>()
    events.on('completed', ({ jobId }) => seen.add(jobId))
    worker = new Worker('loading', async (job: Job) => job.data.n * 2, { connection })
    const workerErrors: Coded[] = []
    worker.on('error', (err: Coded) => workerErrors.push(err))
    const done = new Set<string>()
    worker.on('completed', (job: Job) => done.add(job.id!))

    await eventually(() => ids.every((id) => done.has(id)), 30000)
    await eventually(() => ids.every((id) => seen.has(id)), 10000)
    console.log(`loading: worker errors ${JSON.stringify(workerErrors.map((x) => x.code))}, events errors ${JSON.stringify(eventErrors.map((x) => x.code))}`)
    expect(workerErrors.map((x) => x.code)).toContain('ERR_FERROQ_REDIS_LOADING')
    expect(workerErrors.length).toBeLessThanOrEqual(2)
    expect(await loading.getJobCounts('completed')).toEqual({ completed: 3 })
  } finally {
    await worker?.close()
    await events?.close()
    await loading.close()
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
    fs.rmSync(dir, { recursive: true, force: true })
  }
}, 60000)
