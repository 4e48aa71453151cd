// The admin endpoints of the email-queue seed app (createAdminHandler) over real
// HTTP on 127.0.0.1: one node:http server (full paths, basePath) and one
// Express app (router mounted at /admin/queues under /api, as the seed app does).
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { Queue, Worker, Job, createAdminHandler } from '../..'
import type { AdminHandler, AdminHealth, AdminJobView, AdminQueueStats, AdminResponseBody } from '../..'
import { connection, queueName, collect } from '../helpers'

const ADMIN = { authorization: 'Bearer admin-token' }

/** Admits the admin token; models expired sessions and auth middleware errors too. */
function authorize(req: http.IncomingMessage): boolean | 'unauthenticated' {
  const auth = req.headers.authorization
  if (auth === 'Bearer expired') return 'unauthenticated'
  if (auth === 'Bearer broken') throw Object.assign(new Error('session expired'), { status: 401 })
  if (auth === 'Bearer crash') throw new Error('session store down')
  return auth === ADMIN.authorization
}

interface Reply<T = unknown> {
  status: number
  headers: http.IncomingHttpHeaders
  body: T
}

/** One request; the body is sent as given (a string) or as JSON. */
function call<T = AdminResponseBody<any>>(
  base: string,
  method: string,
  path: string,
  opts: { headers?: http.OutgoingHttpHeaders; body?: unknown } = {},
): Promise<Reply<T>> {
  const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body)
  const headers: http.OutgoingHttpHeaders = { ...ADMIN, ...opts.headers }
  if (payload !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json'
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined })
      })
    })
    req.on('error', reject)
    req.end(payload)
  })
}

/** Listens on a random loopback port; resolves with the base URL and a closer. */
async function listen(server: http.Server): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  }
}

describe('createAdminHandler', () => {
  const opts = { connection: connection() }
  const stats = new Queue(queueName('adm-stats'), opts)
  const jobs = new Queue(queueName('adm-jobs'), opts)
  const retry = new Queue(queueName('adm-retry'), opts)
  const clean = new Queue(queueName('adm-clean'), opts)
  const queues = [stats, jobs, retry, clean]
  const closers: Array<() => Promise<void>> = []
  // Both servers: the same routes under a different mount.
  const servers: Array<{ kind: string; base: string }> = []

  beforeAll(async () => {
    const plain = await listen(http.createServer(createAdminHandler({ queues, authorize, basePath: '/admin/queues' })))
    const app = express()
    app.use(express.json())
    app.use(express.urlencoded({ extended: false }))
    const router = express.Router()
    router.use('/admin/queues', createAdminHandler({ queues: Object.fromEntries(queues.map((q) => [q.name, q])), authorize }))
    app.use('/api', router)
    const viaExpress = await listen(http.createServer(app))
    closers.push(plain.close, viaExpress.close)
    servers.push({ kind: 'node:http', base: `${plain.url}/admin/queues` }, { kind: 'express', base: `${viaExpress.url}/api/admin/queues` })
  })

  afterAll(async () => {
    await Promise.all(closers.map((c) => c()))
    await Promise.all(queues.map((q) => q.close()))
  })

  test('creation needs authorize and ferroq queues (coded errors)', () => {
    const code = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        return (e as { code?: string }).code
      }
      return 'no error'
    }
    expect(code(() => createAdminHandler({ queues } as any))).toBe('ERR_FERROQ_INVALID_OPTION')
    expect(code(() => createAdminHandler({ queues: [{ name: 'x' }] as any, authorize }))).toBe('ERR_FERROQ_INVALID_OPTION')
    expect(code(() => createAdminHandler({ queues: [stats, stats], authorize }))).toBe('ERR_FERROQ_INVALID_OPTION')
    expect(code(() => createAdminHandler({ queues, authorize, healthThresholds: { failed: -1 } }))).toBe('ERR_FERROQ_INVALID_OPTION')
  })

  test('401 without credentials or for an expired session, 403 for credentials that are not admin', async () => {
    for (const { kind, base } of servers) {
      const none = await call(base, 'GET', '/stats', { headers: { authorization: '' } })
      expect([kind, none.status, none.body]).toEqual([kind, 401, { success: false, message: 'authentication required', data: null }])
      expect((await call(base, 'GET', '/stats', { headers: { authorization: 'Bearer expired' } })).status).toBe(401)
      expect((await call(base, 'GET', '/stats', { headers: { authorization: 'Bearer broken' } })).status).toBe(401)
      const user = await call(base, 'GET', '/health', { headers: { authorization: 'Bearer user-token' } })
      expect([kind, user.status, user.body.success]).toEqual([kind, 403, false])
      const cookie = await call(base, 'POST', `/${stats.name}/pause`, { headers: { authorization: '', cookie: 'sid=user' } })
      expect(cookie.status).toBe(403)
    }
    // An authorize failure that is not about credentials: Express's error handler, or a bare 500.
    const [plain, viaExpress] = servers
    const crash = await call(plain.base, 'GET', '/stats', { headers: { authorization: 'Bearer crash' } })
    expect([crash.status, crash.body]).toEqual([500, { success: false, message: 'internal error', data: null }])
    const passed = await new Promise<number>((resolve, reject) => {
      http.get(`${viaExpress.base}/stats`, { headers: { authorization: 'Bearer crash' }, agent: false }, (res) => {
        res.resume()
        resolve(res.statusCode!)
      }).on('error', reject)
    })
    expect(passed).toBe(500)
    expect(await stats.isPaused()).toBe(false)
  })

  test('stats: every queue keyed by name, one queue alone, total = the five counts, paused follows pause/resume', async () => {
    await stats.addBulk([{ name: 'a', data: {} }, { name: 'b', data: {} }])
    await stats.add('p', {}, { priority: 2 })
    await stats.add('d', {}, { delay: 60_000 })
    const want: AdminQueueStats = { name: stats.name, waiting: 3, active: 0, completed: 0, failed: 0, delayed: 1, paused: false, total: 4 }
    for (const { kind, base } of servers) {
      const all = await call<AdminResponseBody<Record<string, AdminQueueStats>>>(base, 'GET', '/stats')
      expect([kind, all.status, all.body.success, all.body.message]).toEqual([kind, 200, true, 'Queue statistics retrieved successfully'])
      expect(Object.keys(all.body.data!).sort()).toEqual(queues.map((q) => q.name).sort())
      expect(all.body.data![stats.name]).toEqual(want)
      const one = await call(base, 'GET', `/${stats.name}/stats`)
      expect(one.body.data).toEqual(want)
    }
    const [plain, viaExpress] = servers
    const paused = await call(plain.base, 'POST', `/${stats.name}/pause`)
    expect(paused.body).toEqual({ success: true, message: 'Queue paused successfully', data: { name: stats.name, paused: true } })
    expect(await stats.isPaused()).toBe(true)
    expect((await call(viaExpress.base, 'GET', `/${stats.name}/stats`)).body.data.paused).toBe(true)
    expect((await call(viaExpress.base, 'POST', `/${stats.name}/resume`)).status).toBe(200)
    expect((await call(plain.base, 'GET', `/${stats.name}/stats`)).body.data.paused).toBe(false)
    expect((await call(plain.base, 'GET', '/no-such-queue/stats')).status).toBe(404)
  })

  test('jobs list: status filter, every field, pages that span waiting and prioritized, 400 for bad parameters', async () => {
    await jobs.add('first', { to: 'a@example.com' }, { attempts: 3, keepLogs: 5 })
    await jobs.add('second', { to: 'b@example.com' })
    await jobs.add('urgent', { to: 'c@example.com' }, { priority: 1 })
    await jobs.add('later', {}, { delay: 60_000 })
    for (const { kind, base } of servers) {
      const all = await call<AdminResponseBody<AdminJobView[]>>(base, 'GET', `/${jobs.name}/jobs?status=waiting`)
      expect([kind, all.status, all.body.message]).toEqual([kind, 200, 'Jobs retrieved successfully'])
      // Workers take plain waiting jobs (oldest first) before prioritized ones.
      expect(all.body.data!.map((j) => [j.name, j.state])).toEqual([['first', 'waiting'], ['second', 'waiting'], ['urgent', 'prioritized']])
      const first = all.body.data![0]
      expect(Object.keys(first).sort()).toEqual(
        ['attemptsMade', 'data', 'failedReason', 'finishedOn', 'id', 'name', 'opts', 'processedOn', 'progress', 'returnvalue', 'stacktrace', 'state', 'timestamp'].sort(),
      )
      expect(first).toMatchObject({ id: '1', data: { to: 'a@example.com' }, progress: 0, attemptsMade: 0, failedReason: null, stacktrace: [], returnvalue: null, processedOn: null })
      expect(first.opts).toMatchObject({ attempts: 3, keepLogs: 5 })
      const page = await call<AdminResponseBody<AdminJobView[]>>(base, 'GET', `/${jobs.name}/jobs?status=waiting&start=1&end=2`)
      expect(page.body.data!.map((j) => j.name)).toEqual(['second', 'urgent'])
      const delayed = await call<AdminResponseBody<AdminJobView[]>>(base, 'GET', `/${jobs.name}/jobs?status=delayed`)
      expect(delayed.body.data!.map((j) => [j.name, j.state])).toEqual([['later', 'delayed']])
      for (const bad of ['status=done', 'start=x', 'start=-1', 'end=1.5', 'start=5&end=2', 'start=0&end=5000']) {
        const r = await call(base, 'GET', `/${jobs.name}/jobs?${bad}`)
        expect([kind, bad, r.status, r.body.success]).toEqual([kind, bad, 400, false])
      }
      expect((await call(base, 'GET', '/nope/jobs')).status).toBe(404)
    }
  })

  test('job details, retry of a failed job, retry-failed with a limit, 404 and 409, against a real Worker', async () => {
    const [plain, viaExpress] = servers
    await retry.addBulk([1, 2, 3].map((n) => ({ name: 'send', data: { n } })))
    let fail = true
    const worker = new Worker(retry.name, async (job) => {
      if (fail) throw new Error(`smtp down for ${job.data.n}`)
      return { sent: job.data.n }
    }, { connection: connection() })
    try {
      await collect<[Job, Error]>(worker, 'failed', 3)
      const detail = await call<AdminResponseBody<AdminJobView>>(plain.base, 'GET', `/${retry.name}/job/1`)
      expect(detail.body.message).toBe('Job retrieved successfully')
      expect(detail.body.data).toMatchObject({ id: '1', name: 'send', state: 'failed', failedReason: 'smtp down for 1', attemptsMade: 1 })
      expect(detail.body.data!.stacktrace[0]).toContain('smtp down for 1')
      expect(detail.body.data!.finishedOn).toBeGreaterThan(0)
      fail = false

      const completed = collect<[Job, unknown]>(worker, 'completed', 1)
      const one = await call(viaExpress.base, 'POST', `/${retry.name}/job/1/retry`)
      expect(one.body).toEqual({ success: true, message: 'Job queued for retry', data: { id: '1', previousState: 'failed' } })
      expect((await completed)[0][0].id).toBe('1')

      const two = collect<[Job, unknown]>(worker, 'completed', 2)
      const limited = await call(plain.base, 'POST', `/${retry.name}/jobs/retry-failed`, { body: { limit: 1 } })
      expect(limited.body).toEqual({ success: true, message: 'Retried 1 failed jobs', data: { retried: 1, jobIds: ['2'] } })
      const rest = await call(viaExpress.base, 'POST', `/${retry.name}/jobs/retry-failed`, { body: { limit: 100 } })
      expect(rest.body.data).toEqual({ retried: 1, jobIds: ['3'] })
      expect((await two).map(([j]) => j.id).sort()).toEqual(['2', '3'])
      expect((await call(plain.base, 'GET', `/${retry.name}/stats`)).body.data).toMatchObject({ completed: 3, failed: 0, total: 3 })

      const done = await call<AdminResponseBody<AdminJobView>>(plain.base, 'GET', `/${retry.name}/job/3`)
      expect(done.body.data).toMatchObject({ state: 'completed', returnvalue: { sent: 3 }, attemptsMade: 2 })
      await retry.add('waits', {}, { delay: 60_000 })
      expect((await call(plain.base, 'POST', `/${retry.name}/job/4/retry`)).status).toBe(409)
      expect((await call(plain.base, 'POST', `/${retry.name}/job/99/retry`)).status).toBe(404)
      expect((await call(viaExpress.base, 'GET', `/${retry.name}/job/99`)).status).toBe(404)
      expect((await call(plain.base, 'POST', `/${retry.name}/jobs/retry-failed`, { body: { limit: 0 } })).status).toBe(400)
    } finally {
      await worker.close()
    }
  })

  test('DELETE removes a job, then it is 404', async () => {
    const job = await jobs.add('remove-me', {})
    for (const { kind, base } of servers) {
      const id = kind === 'express' ? (await jobs.add('remove-me-too', {})).id! : job.id!
      const r = await call(base, 'DELETE', `/${jobs.name}/job/${id}`)
      expect([kind, r.status, r.body]).toEqual([kind, 200, { success: true, message: 'Job removed successfully', data: { id } }])
      expect(await jobs.getJob(id)).toBeUndefined()
      expect((await call(base, 'DELETE', `/${jobs.name}/job/${id}`)).status).toBe(404)
    }
  })

  test('clean removes finished jobs by status, grace and limit; 400 for bad bodies', async () => {
    const [plain, viaExpress] = servers
    await clean.addBulk([1, 2, 3, 4].map((n) => ({ name: 'c', data: { n } })))
    const worker = new Worker(clean.name, async (job) => {
      if (job.data.n === 4) throw new Error('bounced')
      return 'ok'
    }, { connection: connection() })
    try {
      await Promise.all([collect(worker, 'completed', 3), collect(worker, 'failed', 1)])
    } finally {
      await worker.close()
    }
    // Without a body: completed jobs older than an hour, so nothing yet.
    const none = await call(plain.base, 'POST', `/${clean.name}/clean`)
    expect(none.body.data).toMatchObject({ status: 'completed', grace: 3_600_000, removed: 0, jobIds: [] })
    const two = await call(viaExpress.base, 'POST', `/${clean.name}/clean`, { body: { grace: 0, limit: 2, status: 'completed' } })
    expect(two.body).toMatchObject({ success: true, message: 'Cleaned 2 completed jobs', data: { removed: 2, limit: 2 } })
    expect(await clean.getJobCounts('completed', 'failed')).toEqual({ completed: 1, failed: 1 })
    const failed = await call(plain.base, 'POST', `/${clean.name}/clean`, { body: '{"grace": 0, "status": "failed"}' })
    expect(failed.body.data).toMatchObject({ removed: 1, jobIds: ['4'] })
    // A body Express parsed (here a form) is taken from req.body: the handler never sees the raw text.
    const form = await call(viaExpress.base, 'POST', `/${clean.name}/clean`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grace=0&limit=1&status=completed',
    })
    expect(form.body.data).toMatchObject({ grace: 0, limit: 1, removed: 1 })
    for (const { kind, base } of servers) {
      for (const bad of ['{"grace": -5}', '{"grace": "soon"}', '{"status": "gone"}', '{"limit": 1.5}', '[1, 2]']) {
        const r = await call(base, 'POST', `/${clean.name}/clean`, { body: bad })
        expect([kind, bad, r.status, r.body.success]).toEqual([kind, bad, 400, false])
      }
    }
    // Express's json parser answers broken JSON itself; node:http gets it to the handler.
    const broken = await call(plain.base, 'POST', `/${clean.name}/clean`, { body: '{"grace": 0' })
    expect([broken.status, broken.body.success]).toEqual([400, false])
    expect(await clean.getCompletedCount()).toBe(0)
  })

  test('unknown routes are 404, wrong methods 405 with Allow, and basePath is optional on the path', async () => {
    for (const { kind, base } of servers) {
      const unknown = await call(base, 'GET', '/nothing/here/at/all')
      expect([kind, unknown.status, unknown.body.success, unknown.body.data]).toEqual([kind, 404, false, null])
      const wrong = await call(base, 'GET', `/${stats.name}/pause`)
      expect([kind, wrong.status, wrong.headers.allow]).toEqual([kind, 405, 'POST'])
      expect((await call(base, 'PUT', `/${stats.name}/job/1`)).headers.allow).toBe('GET, HEAD, DELETE')
      const head = await call(base, 'HEAD', '/stats')
      expect([kind, head.status, head.headers['content-type']]).toEqual([kind, 200, 'application/json; charset=utf-8'])
    }
    // node:http with basePath answers the short path too.
    const root = servers[0].base.replace('/admin/queues', '')
    expect((await call(root, 'GET', `/${stats.name}/stats`)).status).toBe(200)
  })

  test('schedulers: every queue keyed by name, one queue alone, in bullmq\'s shape', async () => {
    await clean.upsertJobScheduler('nightly-report', { pattern: '0 0 2 * * *', tz: 'Asia/Jakarta' }, { name: 'report', data: { kind: 'daily' } })
    await clean.upsertJobScheduler('heartbeat', { every: 3_600_000, startDate: Date.now() + 3_600_000 })
    for (const { kind, base } of servers) {
      const all = await call<AdminResponseBody<Record<string, Array<{ key: string }>>>>(base, 'GET', '/schedulers')
      expect([kind, all.status, all.body.message]).toEqual([kind, 200, 'Job schedulers retrieved successfully'])
      expect(Object.keys(all.body.data!).sort()).toEqual(queues.map((q) => q.name).sort())
      expect(all.body.data![stats.name]).toEqual([])
      const one = await call<AdminResponseBody<Array<Record<string, unknown>>>>(base, 'GET', `/${clean.name}/schedulers`)
      expect(one.body.data).toEqual(await clean.getJobSchedulers(0, -1, true))
      const report = one.body.data!.find((s) => s.key === 'nightly-report')!
      expect(report).toMatchObject({ name: 'report', pattern: '0 0 2 * * *', tz: 'Asia/Jakarta', iterationCount: 1, template: { data: { kind: 'daily' } } })
      expect(typeof report.next).toBe('number')
    }
    expect((await call(servers[0].base, 'POST', '/schedulers')).status).toBe(405)
  })

  test('a body over 1 MiB is 413', async () => {
    const big = JSON.stringify({ limit: 1, pad: 'x'.repeat(1024 * 1024) })
    const r = await call(servers[0].base, 'POST', `/${clean.name}/jobs/retry-failed`, { body: big })
    expect([r.status, r.body.success]).toEqual([413, false])
  })

  test('health: 503 with the seed wording when counts pass the thresholds, 200 when they do not', async () => {
    const busy = new Queue(queueName('adm-health'), opts)
    const quiet = new Queue(queueName('adm-quiet'), opts)
    const handler: AdminHandler = createAdminHandler({ queues: [busy, quiet], authorize, healthThresholds: { failed: 1, waiting: 2 } })
    const server = await listen(http.createServer(handler))
    try {
      await busy.addBulk([1, 2].map(() => ({ name: 'bad', data: {} })))
      const worker = new Worker(busy.name, async () => { throw new Error('nope') }, { connection: connection() })
      await collect(worker, 'failed', 2)
      await worker.close()
      await busy.addBulk([1, 2, 3].map(() => ({ name: 'w', data: {} })))
      const sick = await call<AdminHealth>(server.url, 'GET', '/health')
      expect(sick.status).toBe(503)
      expect(sick.body.healthy).toBe(false)
      expect(sick.body.issues).toEqual([`${busy.name}: 2 failed jobs`, `${busy.name}: 3 waiting jobs`])
      expect(sick.body.stats[busy.name]).toMatchObject({ waiting: 3, failed: 2, active: 0, completed: 0 })
      expect(sick.body.stats[quiet.name]).toMatchObject({ waiting: 0, failed: 0, total: 0 })

      // Default thresholds (failed > 10, waiting > 100): the same counts are healthy.
      const relaxed = await listen(http.createServer(createAdminHandler({ queues: [busy, quiet], authorize })))
      closers.push(relaxed.close)
      const ok = await call<AdminHealth>(relaxed.url, 'GET', '/health')
      expect([ok.status, ok.body.healthy, ok.body.issues]).toEqual([200, true, []])
    } finally {
      await server.close()
      await busy.close()
      await quiet.close()
    }
  })
})
