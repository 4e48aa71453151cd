// A mixed fleet of ferroq and bullmq 6.7.0 worker processes on one queue of
// 4,000 jobs, with one process SIGKILLed every 2 s (and replaced by a fresh
// one of the same library). Every job completes exactly once in Redis with
// its own result, nothing is left waiting or active, and the only jobs that
// run more than once are jobs a killed process held when it died.
import Redis from 'ioredis'
import { Queue } from '../..'
import { spawnFleetWorker, ChildWorker, FleetWorkerConfig } from '../fixtures/spawn-worker'
import { startRedis, RedisServer, sleep } from './support'

const TOTAL = 4000
const KILL_EVERY_MS = 2000
// Short locks so a killed process's jobs come back quickly; a job may be
// caught by several kills, so neither library may fail it for stalling.
const WORKER = { concurrency: 4, maxDelayMs: 100, lockDuration: 2000, stalledInterval: 1000, maxStalledCount: 1000 }

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(async () => {
  await redis.stop()
})

interface Member {
  lib: FleetWorkerConfig['lib']
  proc: ChildWorker
  killed: boolean
}

/** Ids a process started and never reported done: what it held if it died now. */
function held(m: Member): string[] {
  const done = new Set(m.proc.lines.filter((l) => l.startsWith('done ')).map((l) => l.slice(5)))
  return m.proc.lines.filter((l) => l.startsWith('active ') && !done.has(l.slice(7))).map((l) => l.slice(7))
}

test('4,000 jobs, 2 ferroq + 2 bullmq processes, one SIGKILLed every 2 s: each job completes once with its own result', async () => {
  const name = 'mixed-fleet'
  const connection = { url: redis.url }
  const queue = new Queue(name, { connection })
  const ids = (await queue.addBulk(Array.from({ length: TOTAL }, (_, n) => ({ name: 'j', data: { n } })))).map((j) => j.id!)

  const start = (lib: Member['lib']): Member => ({
    lib,
    proc: spawnFleetWorker({ lib, url: redis.url, queue: name, ...WORKER }),
    killed: false,
  })
  const fleet: Member[] = [start('ferroq'), start('bullmq'), start('ferroq'), start('bullmq')]
  const heldAtKill = new Set<string>()
  let kills = 0
  const deadline = Date.now() + 120000
  let counts = await queue.getJobCounts('completed')
  try {
    while (counts.completed < TOTAL && Date.now() < deadline) {
      await sleep(KILL_EVERY_MS)
      const alive = fleet.filter((m) => !m.killed)
      const victim = alive[kills % alive.length]
      await victim.proc.kill()
      victim.killed = true
      kills += 1
      for (const id of held(victim)) heldAtKill.add(id)
      fleet.push(start(victim.lib))
      counts = await queue.getJobCounts('completed')
    }
    while ((await queue.getJobCounts('completed')).completed < TOTAL && Date.now() < deadline) await sleep(100)
  } finally {
    await Promise.all(fleet.map((m) => m.proc.kill()))
  }

  // Starts per job, over every process that ever ran.
  const starts = new Map<string, number>()
  const ranBy = { ferroq: 0, bullmq: 0 }
  for (const m of fleet) {
    for (const l of m.proc.lines) {
      if (!l.startsWith('active ')) continue
      const id = l.slice(7)
      starts.set(id, (starts.get(id) || 0) + 1)
      ranBy[m.lib] += 1
    }
  }
  const reruns = [...starts].filter(([, n]) => n > 1).map(([id]) => id)
  const final = await queue.getJobCounts('completed', 'failed', 'active', 'wait', 'delayed', 'prioritized')

  // Each job's stored result is its own.
  const r = new Redis(redis.url)
  const pipe = r.pipeline()
  for (const id of ids) pipe.hmget(`bull:${name}:${id}`, 'data', 'returnvalue')
  const rows = (await pipe.exec())!.map(([, v]) => v as [string, string])
  await r.quit()
  const wrong = ids.filter((id, i) => {
    const [data, rv] = rows[i]
    const result = rv ? JSON.parse(rv) : null
    return !result || result.id !== id || result.n2 !== JSON.parse(data).n * 2
  })

  console.log(`mixed-fleet-killed: ${kills} kills; starts ferroq=${ranBy.ferroq} bullmq=${ranBy.bullmq}; ` +
    `re-runs=${reruns.length} (held by killed processes: ${heldAtKill.size}); final=${JSON.stringify(final)}; wrong results=${wrong.length}`)
  expect(kills).toBeGreaterThanOrEqual(3)
  expect(ranBy.ferroq).toBeGreaterThan(0)
  expect(ranBy.bullmq).toBeGreaterThan(0)
  expect(final).toEqual({ completed: TOTAL, failed: 0, active: 0, wait: 0, delayed: 0, prioritized: 0 })
  expect(wrong).toEqual([])
  expect(ids.every((id) => starts.has(id))).toBe(true)
  for (const id of reruns) expect(heldAtKill.has(id)).toBe(true)
  await queue.close()
}, 180000)
