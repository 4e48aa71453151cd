// A Redis over `maxmemory` (noeviction, the policy BullMQ requires), each test
// on a private redis-server: adds are refused at once with
// ERR_FERROQ_REDIS_OOM, /health and `ferroq stats` say Redis is out of memory,
// ferroq's workers drain every waiting job (their transitions run with the
// `allow-oom` script flag) and adds work again once the drained jobs are gone.
// With bullmq workers on the same queue too: bullmq's may stay stuck, ferroq's
// must not.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { spawn } from 'node:child_process'
import * as path from 'node:path'
import { Queue, Worker, createAdminHandler } from '..'
import type { AdminHealth } from '..'
import { eventually } from './helpers'
import { spawnFleetWorker } from './fixtures/spawn-worker'

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startRedis } = require('./setup/redis-server') as {
  startRedis(extraArgs?: string[]): Promise<{ url: string; port: number; stop(): Promise<void> }>
}

type Coded = Error & { code?: string }
const FULL = ['--maxmemory', '4mb', '--maxmemory-policy', 'noeviction']
const CLI = path.resolve(__dirname, '..', 'src', 'js', 'cli.js')
const PAD = 'x'.repeat(2000)

/**
 * Adds batches of ~2 KB jobs until Redis refuses one, then single jobs until
 * one of those is refused too (a batch can be refused while one small job
 * still fits); resolves with the ids that got in and the last refusal.
 */
async function fill(queue: Queue): Promise<{ ids: string[]; refusal: Coded }> {
  const ids: string[] = []
  for (const size of [20, 1]) {
    for (;;) {
      try {
        const jobs = await queue.addBulk(Array.from({ length: size }, (_, i) => ({ name: 'fill', data: { i, pad: PAD } })))
        ids.push(...jobs.map((j) => j.id!))
      } catch (e) {
        if (size === 1) return { ids, refusal: e as Coded }
        break
      }
    }
  }
  throw new Error('unreachable')
}

async function health(queue: Queue): Promise<{ status: number; body: AdminHealth }> {
  const handler = createAdminHandler({ queues: [queue], authorize: () => true })
  const server = http.createServer(handler)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  try {
    return await new Promise((resolve, reject) => {
      http
        .get(`http://127.0.0.1:${port}/health`, { agent: false }, (res) => {
          let text = ''
          res.on('data', (c) => (text += c))
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }))
        })
        .on('error', reject)
    })
  } finally {
    await new Promise((r) => server.close(r))
  }
}

function stats(url: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'stats', '--url', url])
    let stdout = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout }))
  })
}

test('a full Redis refuses adds with ERR_FERROQ_REDIS_OOM, reports unhealthy, drains through ferroq workers and takes adds again', async () => {
  const redis = await startRedis(FULL)
  const connection = { url: redis.url }
  const queue = new Queue('full', { connection })
  try {
    const { ids, refusal } = await fill(queue)
    expect(ids.length).toBeGreaterThan(0)
    expect(refusal.code).toBe('ERR_FERROQ_REDIS_OOM')
    expect(refusal.message).toMatch(/out of memory/)
    // Refused at once, every time, while nothing frees memory.
    await expect(queue.add('one', { pad: PAD })).rejects.toMatchObject({ code: 'ERR_FERROQ_REDIS_OOM' })

    const sick = await health(queue)
    expect(sick.status).toBe(503)
    expect(sick.body.redis!.outOfMemory).toBe(true)
    expect(sick.body.issues.some((i) => /Redis is out of memory: .* used of maxmemory 4.0 MB/.test(i))).toBe(true)
    const cli = await stats(redis.url)
    expect(cli.code).toBe(3)
    expect(cli.stdout).toMatch(/redis: UNHEALTHY: Redis is out of memory/)

    const done = new Set<string>()
    const worker = new Worker('full', async () => 'ok', { connection, concurrency: 8, removeOnComplete: true })
    worker.on('completed', (job) => done.add(job.id!))
    const errors: Coded[] = []
    worker.on('error', (e: Coded) => errors.push(e))
    await eventually(() => done.size === ids.length, 60000)
    expect([...done].sort()).toEqual([...ids].sort())
    expect(await queue.getJobCounts('wait', 'active', 'completed')).toEqual({ wait: 0, active: 0, completed: 0 })
    expect(errors).toEqual([])

    // Memory came back: the same Queue adds again, and the worker runs it.
    const after = await queue.add('after', { pad: PAD })
    await eventually(() => done.has(after.id!))
    const well = await eventually(async () => {
      const h = await health(queue)
      return h.status === 200 ? h : null
    })
    expect(well!.body.redis!.outOfMemory).toBe(false)
    const cliAfter = await stats(redis.url)
    expect(cliAfter.code).toBe(0)
    expect(cliAfter.stdout).toMatch(/redis: healthy, .* used of maxmemory 4.0 MB \(noeviction\)/)
    await worker.close()
  } finally {
    await queue.close()
    await redis.stop()
  }
}, 90000)

test('a mixed ferroq + bullmq fleet on a full Redis: ferroq workers drain every job even while bullmq workers are stuck', async () => {
  const redis = await startRedis(FULL)
  const connection = { url: redis.url }
  const queue = new Queue('mixed-full', { connection })
  // bullmq in its own process (as in a real fleet), started first so it has
  // every chance to take jobs; its scripts carry no flag, so a full Redis
  // refuses them and it retries, emitting errors.
  const bull = spawnFleetWorker({ lib: 'bullmq', url: redis.url, queue: 'mixed-full', concurrency: 4, removeOnComplete: true, lockDuration: 2000, stalledInterval: 1000 })
  try {
    const { ids, refusal } = await fill(queue)
    expect(refusal.code).toBe('ERR_FERROQ_REDIS_OOM')
    await bull.waitForLine((l) => l === 'ready')
    await bull.waitForLine((l) => l.startsWith('error '), 20000)

    const ferroqDone: string[] = []
    const worker = new Worker('mixed-full', async (job) => ({ n2: job.data.i * 2, id: job.id }), {
      connection,
      concurrency: 8,
      removeOnComplete: true,
      stalledInterval: 1000,
    })
    worker.on('completed', (job) => ferroqDone.push(job.id!))
    worker.on('error', () => undefined)

    // Every job completes (by whichever worker got it), and nothing is left behind.
    const bullDone = () => bull.lines.filter((l) => l.startsWith('done ')).map((l) => l.slice(5))
    await eventually(async () => {
      const seen = new Set([...bullDone(), ...ferroqDone])
      return ids.every((id) => seen.has(id))
    }, 60000)
    await eventually(async () => {
      const c = await queue.getJobCounts('wait', 'active', 'delayed')
      return c.wait + c.active + c.delayed === 0
    }, 30000)
    const bullErrors = bull.lines.filter((l) => l.startsWith('error ')).length
    console.log(`mixed-full: ${ids.length} jobs; ferroq ran ${ferroqDone.length}, bullmq ran ${bullDone().length} (bullmq error lines, at most 1/s: ${bullErrors}; first: ${bull.lines.find((l) => l.startsWith('error '))})`)
    // ferroq's workers ran jobs on the full Redis. How the rest splits between the
    // fleets once memory is freed is a race (bullmq's workers resume then too), so
    // it is logged above, not asserted.
    expect(ferroqDone.length).toBeGreaterThan(0)
    await worker.close()
  } finally {
    await bull.kill()
    await queue.close()
    await redis.stop()
  }
}, 120000)
