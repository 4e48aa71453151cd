// The embedded store (memory://): runs with no Redis at all, one name is one
// store, and bad URLs or Redis-only options get coded errors naming the problem.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Queue, Worker, QueueEvents } from '..'
import { next, queueName } from './helpers'
const { REDIS_ONLY_CARGO } = require('./setup/stores') as { REDIS_ONLY_CARGO: Record<string, string> }

const ROOT = path.join(__dirname, '..')

/** Runs `args` with node under a PATH that holds node alone (no redis-server) and no REDIS_URL. */
function runWithoutRedis(args: string[], extraEnv: Record<string, string> = {}) {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'ferroq-no-redis-'))
  fs.symlinkSync(process.execPath, path.join(bin, 'node'))
  const env: Record<string, string> = { PATH: bin, HOME: os.tmpdir(), ...extraEnv }
  try {
    return spawnSync(path.join(bin, 'node'), args, { cwd: ROOT, env, encoding: 'utf8', timeout: 60000 })
  } finally {
    fs.rmSync(bin, { recursive: true, force: true })
  }
}

describe('with no redis-server on PATH and no REDIS_URL', () => {
  test('npm run demo runs on the embedded store and says so', () => {
    const r = runWithoutRedis([path.join(ROOT, 'examples', 'demo.js')], { DEMO_JOBS: '40', DEMO_QUIET: '1' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/no REDIS_URL and no redis-server on PATH: using the embedded store \(memory:\/\/demo/)
    // The demo's simulated SMTP fails at random; every email ends delivered or failed after its attempts.
    const [, delivered, failed] = r.stdout.match(/emails: {3}(\d+) delivered, (\d+) failed/) ?? []
    expect(Number(delivered) + Number(failed)).toBe(40)
    expect(r.stdout).toMatch(/learning: 12 recomputes for 12 users/)
  }, 70000)

  test('a Queue, a Worker and QueueEvents make a round trip on memory://', () => {
    const script = `
      const { Queue, Worker, QueueEvents } = require('.')
      ;(async () => {
        const connection = 'memory://'
        const queue = new Queue('round-trip', { connection })
        const events = new QueueEvents('round-trip', { connection })
        await events.waitUntilReady()
        const completed = new Promise((r) => events.on('completed', r))
        const worker = new Worker('round-trip', async (job) => job.data.n * 2, { connection })
        const job = await queue.add('double', { n: 21 })
        const { jobId, returnvalue } = await completed
        const stored = await queue.getJob(job.id)
        console.log(JSON.stringify({ jobId, returnvalue, state: await stored.getState(), workers: (await queue.getWorkers()).length }))
        await worker.close(); await events.close(); await queue.close()
      })().catch((e) => { console.error(e); process.exit(1) })`
    const r = runWithoutRedis(['-e', script])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ jobId: '1', returnvalue: 42, state: 'completed', workers: 1 })
  }, 70000)
})

describe('memory:// names', () => {
  test('one name is one store in this process; another name is another world', async () => {
    const name = queueName('names')
    const url = `memory://${name}`
    const a = new Queue(name, { connection: url })
    const b = new Queue(name, { connection: { url } })
    const other = new Queue(name, { connection: `${url}-other` })
    await a.add('x', {})
    expect(await b.getJobCountByTypes('waiting')).toBe(1)
    expect(await other.getJobCountByTypes('waiting')).toBe(0)
    const worker = new Worker(name, async () => 'ok', { connection: url })
    await next(worker, 'completed')
    expect(await b.getJobCountByTypes('completed')).toBe(1)
    await worker.close()
    await Promise.all([a.close(), b.close(), other.close()])
  })

  test('QueueEvents on the same name sees what a Worker on it does', async () => {
    const name = queueName('names-ev')
    const url = `memory://${name}`
    const events = new QueueEvents(name, { connection: url })
    await events.waitUntilReady()
    const queue = new Queue(name, { connection: url })
    const worker = new Worker(name, async () => { throw new Error('nope') }, { connection: url })
    const failed = next<[{ jobId: string; failedReason: string }]>(events, 'failed')
    await queue.add('x', {})
    expect((await failed)[0]).toEqual(expect.objectContaining({ jobId: '1', failedReason: 'nope' }))
    await worker.close()
    await events.close()
    await queue.close()
  })
})

describe('bad connection input', () => {
  const attempt = (connection: unknown) => {
    try {
      new Queue('x', { connection: connection as string })
    } catch (e) {
      return { code: (e as { code?: string }).code, message: (e as Error).message }
    }
    return null
  }

  test.each([
    ['http://localhost:6379', /unknown scheme "http:\/\/"/],
    ['localhost:6379', /not a URL/],
    ['memory:/x', /memory:\/\/ or memory:\/\/NAME/],
    ['memory://a/b', /store name may only use/],
    ['memory://user:pw@host', /store name may only use/],
  ])('%s is refused with a coded error naming connection.url', (url, reason) => {
    const e = attempt(url)
    expect(e).toEqual({ code: 'ERR_FERROQ_INVALID_OPTION', message: expect.stringMatching(reason) })
    expect(e!.message).toMatch(/connection\.url/)
    expect(e!.message).not.toMatch(/pw/)
  })

  test.each([
    [{ url: 'memory://', tls: {} }, 'connection.tls'],
    [{ url: 'memory://', tls: true }, 'connection.tls'],
    [{ url: 'memory://x', cluster: ['127.0.0.1:7000'] }, 'connection.cluster'],
    [{ url: 'memory://x', password: 'secret' }, 'connection.password'],
    [{ url: 'memory://x', db: 2 }, 'connection.db'],
  ])('%j is refused: Redis-only options make no sense for memory://', (connection, field) => {
    const e = attempt(connection)
    expect(e).toEqual({ code: 'ERR_FERROQ_INVALID_OPTION', message: expect.stringContaining(field) })
    expect(e!.message).toMatch(/only applies to Redis; memory:\/\/ is an in-process store/)
    expect(e!.message).not.toMatch(/secret/)
  })
})

test('the CLI refuses a memory:// URL: another process cannot see an embedded store', () => {
  for (const [args, env] of [
    [['stats', '--url', 'memory://shop'], {}],
    [['stats'], { REDIS_URL: 'memory://' }],
  ] as const) {
    const r = runWithoutRedis([path.join(ROOT, 'src', 'js', 'cli.js'), ...args], env)
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^ferroq: memory:\/\/(shop)? is an embedded store, which lives inside the process that opened it/)
    expect(r.stderr).toMatch(/give --url \(or REDIS_URL\) a Redis URL/)
  }
})

describe('npm test without Redis', () => {
  /** Rust module paths (engine::tests::x) of the files under src/ whose tests start or reach a redis-server. */
  function cargoModulesNeedingRedis(): string[] {
    const out: string[] = []
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = path.posix.join(dir, e.name)
        if (e.isDirectory()) walk(rel)
        else if (e.name.endsWith('.rs') && !/tests\/(support|private_server)\.rs$/.test(rel)) {
          const src = fs.readFileSync(path.join(ROOT, rel), 'utf8')
          if (/PrivateServer::start|redis_url\(\)|Command::new\("redis-server"\)/.test(src)) {
            out.push(rel.replace(/^src\//, '').replace(/(\/mod)?\.rs$/, '').replace(/\//g, '::'))
          }
        }
      }
    }
    walk('src')
    return out.sort()
  }

  test('leaves out exactly the cargo test modules that need a redis-server (stores.js REDIS_ONLY_CARGO)', () => {
    // A new Rust test on a private redis-server must be listed, or `npm test` fails on a machine without Redis.
    expect(cargoModulesNeedingRedis()).toEqual(Object.keys(REDIS_ONLY_CARGO).sort())
  })
})
