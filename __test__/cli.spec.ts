// The `ferroq` command (src/js/cli.js), run as a child process against the
// test Redis. Each test uses its own key prefix, so discovery sees only the
// queues that test made.
import { spawn } from 'node:child_process'
import * as path from 'node:path'
import { Queue, Worker } from '..'
import { connection, queueName, collect, eventually } from './helpers'

const CLI = path.resolve(__dirname, '..', 'src', 'js', 'cli.js')

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the CLI to completion (REDIS_URL comes from the test environment). */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

let prefixes = 0
function prefix(): string {
  prefixes += 1
  return `clitest${process.pid}x${Date.now().toString(36)}x${prefixes}`
}

/** A queue `name` under `pfx` with `waiting` waiting jobs, one delayed, and `failed`/`completed` finished ones. */
async function seed(pfx: string, name: string, n: { waiting?: number; failed?: number; completed?: number }) {
  const queue = new Queue(name, { connection: connection(), prefix: pfx })
  const finished = (n.failed ?? 0) + (n.completed ?? 0)
  if (finished > 0) {
    const worker = new Worker(
      name,
      async (job) => {
        if (job.data.fail) throw new Error('boom')
        return 'ok'
      },
      { connection: connection(), prefix: pfx },
    )
    const done = Promise.all([
      n.failed ? collect(worker, 'failed', n.failed) : [],
      n.completed ? collect(worker, 'completed', n.completed) : [],
    ])
    const jobs = [
      ...Array.from({ length: n.failed ?? 0 }, () => ({ name: 'f', data: { fail: true } })),
      ...Array.from({ length: n.completed ?? 0 }, () => ({ name: 'c', data: {} })),
    ]
    await queue.addBulk(jobs)
    await done
    await worker.close()
  }
  await queue.addBulk(Array.from({ length: n.waiting ?? 0 }, () => ({ name: 'w', data: {} })))
  await queue.add('later', {}, { delay: 3_600_000 })
  return queue
}

describe('ferroq CLI', () => {
  test('stats with no names finds every queue under the prefix and prints its counts', async () => {
    const pfx = prefix()
    const a = await seed(pfx, queueName('cli-a'), { waiting: 2 })
    const b = await seed(pfx, queueName('cli-b'), { failed: 1, completed: 2 })
    // A queue under another prefix is not listed.
    const other = await seed(prefix(), queueName('cli-other'), { waiting: 1 })

    const json = await cli(['stats', '--prefix', pfx, '--json'])
    expect(json).toMatchObject({ code: 0, stderr: '' })
    const rows = JSON.parse(json.stdout)
    expect(rows).toEqual(
      [
        { queue: a.name, state: 'running', waiting: 2, active: 0, delayed: 1, prioritized: 0, completed: 0, failed: 0, paused: 0 },
        { queue: b.name, state: 'running', waiting: 0, active: 0, delayed: 1, prioritized: 0, completed: 2, failed: 1, paused: 0 },
      ].sort((x, y) => x.queue.localeCompare(y.queue)),
    )

    const text = await cli(['stats', '--prefix', pfx])
    expect(text.code).toBe(0)
    const lines = text.stdout.trim().split('\n')
    expect(lines[0].split(/\s+/)).toEqual(['QUEUE', 'STATE', 'WAITING', 'ACTIVE', 'DELAYED', 'PRIORITIZED', 'COMPLETED', 'FAILED', 'PAUSED'])
    expect(lines.find((l) => l.startsWith(b.name))!.split(/\s+/)).toEqual([b.name, 'running', '0', '0', '1', '0', '2', '1', '0'])

    // Naming queues shows only those.
    const named = await cli(['stats', '--prefix', pfx, '--json', a.name])
    expect(JSON.parse(named.stdout).map((r: { queue: string }) => r.queue)).toEqual([a.name])
    await Promise.all([a.close(), b.close(), other.close()])
  })

  test('an unknown queue fails with exit code 1 and names the known ones', async () => {
    const pfx = prefix()
    const a = await seed(pfx, queueName('cli-known'), { waiting: 1 })
    for (const args of [['stats', 'nope'], ['pause', 'nope'], ['resume', 'nope'], ['retry-failed', 'nope'], ['clean', 'nope']]) {
      const r = await cli([...args, '--prefix', pfx])
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('unknown queue "nope"')
      expect(r.stderr).toContain(a.name)
      expect(r.stdout).toBe('')
    }
    await a.close()
  })

  test('bad usage exits with code 2 and a hint', async () => {
    const cases: Array<[string[], string]> = [
      [[], 'no command given'],
      [['frobnicate'], 'unknown command "frobnicate"'],
      [['pause'], 'exactly one queue name'],
      [['pause', 'a', 'b'], 'exactly one queue name'],
      [['pause', 'a', '--watch'], '--watch does not apply to "pause"'],
      [['clean', 'a', '--grace', 'soon'], '--grace must be a whole number'],
      [['clean', 'a', '--status', 'finished'], '--status must be one of'],
      [['stats', '--frob'], "Unknown option '--frob'"],
      [['stats', '--watch', '--json'], 'cannot be combined'],
    ]
    for (const [args, message] of cases) {
      const r = await cli(args)
      expect({ args, code: r.code }).toEqual({ args, code: 2 })
      expect(r.stderr).toContain(message)
      expect(r.stderr).toContain('ferroq --help')
    }
    const help = await cli(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('retry-failed <queue>')
  })

  test('the Redis password is never printed, even when the connection fails', async () => {
    const u = new URL(connection().url)
    // The test server has no such user, so AUTH fails with the password in hand.
    const url = `redis://someone:s3cr%3Ft@${u.host}`
    for (const args of [['stats', '--url', url], ['pause', 'q', '--url', url]]) {
      const r = await cli(args)
      expect(r.code).toBe(1)
      expect(r.stderr).toContain('redis://someone:***@')
      expect(r.stderr + r.stdout).not.toMatch(/s3cr/)
    }
    // The same through REDIS_URL.
    const env = await cli(['stats'], { REDIS_URL: url })
    expect(env.code).toBe(1)
    expect(env.stderr).not.toMatch(/s3cr/)
  })

  test('pause and resume change the queue for every client', async () => {
    const pfx = prefix()
    const q = await seed(pfx, queueName('cli-pause'), { waiting: 1 })
    const p = await cli(['pause', q.name, '--prefix', pfx])
    expect(p).toMatchObject({ code: 0, stdout: `queue "${q.name}" paused\n` })
    expect(await q.isPaused()).toBe(true)
    const stats = JSON.parse((await cli(['stats', '--prefix', pfx, '--json'])).stdout)
    expect(stats[0].state).toBe('paused')
    const r = await cli(['resume', q.name, '--prefix', pfx])
    expect(r).toMatchObject({ code: 0, stdout: `queue "${q.name}" resumed\n` })
    expect(await q.isPaused()).toBe(false)
    await q.close()
  })

  test('retry-failed moves failed jobs back to waiting and a worker completes them', async () => {
    const pfx = prefix()
    const q = await seed(pfx, queueName('cli-retry'), { failed: 2 })
    const r = await cli(['retry-failed', q.name, '--prefix', pfx])
    expect(r).toMatchObject({ code: 0, stdout: `queue "${q.name}": 2 failed job(s) moved back to waiting\n` })
    expect(await q.getJobCounts('failed', 'waiting')).toEqual({ failed: 0, waiting: 2 })
    const worker = new Worker(q.name, async () => 'second time', { connection: connection(), prefix: pfx })
    const done = await collect(worker, 'completed', 2)
    expect(done.map(([, rv]) => rv)).toEqual(['second time', 'second time'])
    await worker.close()
    await q.close()
  })

  test('clean removes jobs of one state older than --grace, at most --limit', async () => {
    const pfx = prefix()
    const q = await seed(pfx, queueName('cli-clean'), { failed: 1, completed: 3 })
    const young = await cli(['clean', q.name, '--prefix', pfx, '--grace', '3600000'])
    expect(young).toMatchObject({ code: 0, stdout: `queue "${q.name}": removed 0 completed job(s)\n` })
    const one = await cli(['clean', q.name, '--prefix', pfx, '--limit', '1'])
    expect(one).toMatchObject({ code: 0, stdout: `queue "${q.name}": removed 1 completed job(s)\n` })
    expect(await q.getCompletedCount()).toBe(2)
    const rest = await cli(['clean', q.name, '--prefix', pfx])
    expect(rest.stdout).toBe(`queue "${q.name}": removed 2 completed job(s)\n`)
    const failed = await cli(['clean', q.name, '--prefix', pfx, '--status', 'failed'])
    expect(failed.stdout).toBe(`queue "${q.name}": removed 1 failed job(s)\n`)
    expect(await q.getJobCounts('completed', 'failed', 'delayed')).toEqual({ completed: 0, failed: 0, delayed: 1 })
    await q.close()
  })

  test('stats --watch redraws every second with a bar per queue and exits 0 on SIGINT', async () => {
    const pfx = prefix()
    const q = await seed(pfx, queueName('cli-watch'), { waiting: 3 })
    const child = spawn(process.execPath, [CLI, 'stats', '--watch', '--prefix', pfx], { env: process.env })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    const frames = () => out.split('ferroq stats  ').slice(1)
    // The first frame sees 3 waiting; the one after a new job sees 4.
    await eventually(() => frames().length >= 1)
    await q.add('more', {})
    await eventually(() => frames().some((f) => /\| 5\n/.test(f)), 5000)
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    const [first] = frames()
    expect(first).toContain(`redis://${new URL(connection().url).host}`)
    expect(first).toMatch(new RegExp(`${q.name}\\s+\\|=+-+\\s*\\| 4\\n`))
    expect(frames().length).toBeGreaterThanOrEqual(2)
    await q.close()
  })
})
