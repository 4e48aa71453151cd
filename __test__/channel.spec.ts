// The one ordered channel from Rust to JS (src/binding/channel.rs, src/js/channel.js):
// adds issued in the same tick travel together yet settle one by one, a
// rejected request's error carries the caller's stack, the process stays alive
// exactly while answers or workers are pending, and every native request
// method is known to the JS glue.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { spawn } from 'node:child_process'
import IORedis from 'ioredis'
import { Queue, Worker } from '..'
import { connection, queueName, testRedisOnly, describeRedisOnly } from './helpers'

const { startRedis } = require('./setup/redis-server.js')
const ROOT = path.resolve(__dirname, '..')

/** EVALSHA calls the server has run so far. */
async function evalshaCalls(admin: IORedis): Promise<number> {
  const m = /cmdstat_evalsha:calls=(\d+)/.exec(await admin.info('commandstats'))
  return m ? Number(m[1]) : 0
}

// Redis only: the script calls are counted by the server (INFO commandstats).
describeRedisOnly('adds issued in the same tick', () => {
  // A private server: the command counts are this test's alone.
  let server: { url: string; port: number; stop(): Promise<void> }
  let admin: IORedis
  beforeAll(async () => {
    server = await startRedis()
    admin = new IORedis({ host: '127.0.0.1', port: server.port })
  })
  afterAll(async () => {
    await admin.quit()
    await server.stop()
  })

  test('travel in one script call, each settling with its own id or error', async () => {
    const q = new Queue(queueName('tick'), { connection: { url: server.url } })
    await q.add('warm', {})
    const before = await evalshaCalls(admin)
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => (i === 57 ? q.add('bad', { i }, { delay: -5 }) : q.add('x', { i }))),
    )
    expect(await evalshaCalls(admin)).toBe(before + 1)

    const bad = results[57]
    expect(bad.status).toBe('rejected')
    expect((bad as PromiseRejectedResult).reason.code).toBe('ERR_FERROQ_INVALID_OPTION')
    expect((bad as PromiseRejectedResult).reason.message).toMatch(/opts\.delay/)
    const jobs = results.filter((r, i) => i !== 57).map((r) => (r as PromiseFulfilledResult<{ id: string; data: { i: number } }>).value)
    expect(jobs).toHaveLength(199)
    expect(new Set(jobs.map((j) => j.id)).size).toBe(199)
    for (const j of jobs) expect((await q.getJob(j.id))!.data).toEqual(j.data)
    expect(await q.count()).toBe(200)
    await q.close()
  })

  test('a job over its size limit fails alone; its neighbours are added', async () => {
    const q = new Queue(queueName('tick-size'), { connection: { url: server.url } })
    const results = await Promise.allSettled([
      q.add('a', { v: 1 }),
      q.add('b', { v: 'x'.repeat(100) }, { sizeLimit: 10 }),
      q.add('c', { v: 3 }),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('The size of job b exceeds the limit 10 bytes')
    expect(await q.getJobCountByTypes('waiting')).toBe(2)
    await q.close()
  })

  test('keep their order with the requests issued after them', async () => {
    // Warm (connected, meta written): each request below is then one command,
    // sent in the order the requests reach Rust.
    const q = new Queue(queueName('tick-order'), { connection: { url: server.url } })
    await q.add('warm', {})
    const added = q.add('x', {})
    const counted = q.getJobCountByTypes('waiting')
    await added
    expect(await counted).toBe(2)
    await q.close()
  })
})

describe('a rejected request', () => {
  test("carries a stable code and the awaiting caller's stack", async () => {
    const q = new Queue(queueName('stack'), { connection: connection() })
    async function callerSiteOfTheAdd() {
      await q.add('x', {}, { delay: -5 })
    }
    const err = await callerSiteOfTheAdd().then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    )
    expect(err).toBeInstanceOf(Error)
    expect(err!.code).toBe('ERR_FERROQ_INVALID_OPTION')
    expect(err!.stack).toMatch(/callerSiteOfTheAdd/)
    await q.close()
  })
})

/** Runs `code` in a fresh Node process (cwd: the package); resolves with its exit code, or 'hung'. */
function runChild(code: string, guardMs = 20000): Promise<number | 'hung'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', code], { cwd: ROOT, env: process.env, stdio: ['ignore', 'inherit', 'inherit'] })
    const guard = setTimeout(() => {
      child.kill('SIGKILL')
      resolve('hung')
    }, guardMs)
    child.on('exit', (rc) => {
      clearTimeout(guard)
      resolve(rc ?? -1)
    })
  })
}

describe('keeping Node alive', () => {
  // Redis only: the parent reads the job the child wrote after the child exits.
  testRedisOnly('a request in flight holds the process until it is answered; then it exits on its own', async () => {
    const name = queueName('alive')
    // The add is never awaited: the script ends right away, and Node must stay
    // until the answer arrives (the job is in Redis once the process has exited).
    const rc = await runChild(`
      const { Queue } = require('.')
      const q = new Queue(${JSON.stringify(name)}, { connection: { url: process.env.REDIS_URL } })
      q.add('x', { n: 1 }).then(() => q.close())
    `)
    expect(rc).toBe(0)
    const q = new Queue(name, { connection: connection() })
    expect(await q.getJobCountByTypes('waiting')).toBe(1)
    await q.close()
  }, 30000)

  test('a closed worker and queue let the process exit', async () => {
    const rc = await runChild(`
      const { Queue, Worker } = require('.')
      const name = ${JSON.stringify(queueName('exit'))}
      const connection = ${JSON.stringify(connection())}
      ;(async () => {
        const q = new Queue(name, { connection })
        const w = new Worker(name, async (job) => job.data.n * 2, { connection })
        const done = new Promise((r) => w.on('completed', (_job, v) => r(v)))
        await q.add('x', { n: 21 })
        if ((await done) !== 42) process.exitCode = 3
        await w.close()
        await q.close()
      })()
    `)
    expect(rc).toBe(0)
  }, 30000)

  test('a running worker that is never closed keeps the process alive', async () => {
    const rc = await runChild(
      `
      const { Worker } = require('.')
      new Worker(${JSON.stringify(queueName('hold'))}, async () => 1, { connection: ${JSON.stringify(connection())} })
    `,
      3000,
    )
    expect(rc).toBe('hung')
  }, 30000)
})

describe('the JS glue', () => {
  test('knows every native method that answers through the channel, and only those', () => {
    const dts = fs.readFileSync(path.join(ROOT, 'binding.d.ts'), 'utf8')
    const { REQUESTS } = require('../src/js/native.js') as { REQUESTS: Record<string, string[]> }
    const found: Record<string, string[]> = {}
    // Each class block: its methods whose doc says "Request" and that return a number.
    for (const m of dts.matchAll(/export declare class (\w+) \{([\s\S]*?)\n\}/g)) {
      const names: string[] = []
      for (const d of m[2].matchAll(/\/\*\*([\s\S]*?)\*\/\s*\n\s*(\w+)\([^)]*\): number/g)) {
        if (/\bRequest\b/i.test(d[1])) names.push(d[2])
      }
      if (names.length) found[m[1]] = names.sort()
    }
    const listed = Object.fromEntries(Object.entries(REQUESTS).map(([k, v]) => [k, [...v].sort()]))
    expect(listed).toEqual(found)
  })
})

test('a worker and a queue on one channel still deliver in order under load', async () => {
  // Many adds in flight while a worker completes jobs: every add settles, every
  // job completes once, nothing is lost between answers and batches.
  const name = queueName('mixed')
  const q = new Queue(name, { connection: connection() })
  const w = new Worker(name, async (job) => job.data.i, { connection: connection(), concurrency: 20 })
  const seen = new Set<number>()
  const all = new Promise<void>((resolve) => {
    w.on('completed', (_job, v: number) => {
      seen.add(v)
      if (seen.size === 500) resolve()
    })
  })
  for (let b = 0; b < 5; b++) await Promise.all(Array.from({ length: 100 }, (_, i) => q.add('x', { i: b * 100 + i })))
  await all
  expect(seen.size).toBe(500)
  await w.close()
  await q.close()
}, 60000)
