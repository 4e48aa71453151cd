// The email queue preset (seed 002): queues from config, env concurrency, helpers.
import { initializeQueues, shutdownQueues, emailQueue, getQueues, Queue } from '../..'
import { connection, eventually } from '../helpers'

describe('email queues', () => {
  const env = { ...process.env }
  afterEach(async () => {
    await shutdownQueues()
    process.env = { ...env }
  })

  test('creates the six queues, a worker per queue with processors, with env concurrency, and logs it', async () => {
    process.env.EMAIL_QUEUE_CONCURRENCY = '7'
    const lines: string[] = []
    const logger = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) }
    const sent: unknown[] = []
    const prefix = `email-${Date.now()}`
    const { workers } = await initializeQueues({
      connection: connection(), prefix, logger,
      processors: {
        email: {
          'send-verification-code': async (data: unknown) => { sent.push(data); return { delivered: true } },
          'send-welcome-email': async () => { throw new Error('smtp down') },
        },
      },
    })
    expect(getQueues().map((q) => q.name)).toEqual(['email', 'sync', 'payment', 'enrollment', 'notification', 'cleanup'])
    expect(lines).toContain('✅ Queue created: email')
    expect(lines).toContain('✅ Worker created: email (concurrency: 7)')
    expect([...workers.keys()]).toEqual(['email'])
    const id = await emailQueue.sendVerificationCode('ana@example.com', '123456', 'Ana')
    expect(typeof id).toBe('string')
    await eventually(() => sent.length === 1)
    expect(sent[0]).toEqual({ email: 'ana@example.com', code: '123456', firstName: 'Ana' })
    const q = getQueues()[0]
    const job = (await q.getJob(id))!
    expect(job.name).toBe('send-verification-code')
    expect(job.opts).toMatchObject({ attempts: 3, backoff: { type: 'exponential', delay: 2000 } })
  })

  test('the cleanup queue sweeps expired verification codes on CLEANUP_SCHEDULE (hourly by default)', async () => {
    const prefix = `email-sched-${Date.now()}`
    const noop = { cleanup: { 'cleanup-expired-verification-codes': async () => ({ removed: 0 }) } }
    await initializeQueues({ connection: connection(), prefix, logger: null, processors: noop })
    const cleanup = getQueues().find((q) => q.name === 'cleanup')!
    const [s] = await cleanup.getJobSchedulers()
    expect(s).toMatchObject({ key: 'cleanup-expired-verification-codes', name: 'cleanup-expired-verification-codes', pattern: '0 * * * *' })
    expect(new Date(s.next!).getMinutes()).toBe(0)
    expect(await cleanup.getDelayedCount()).toBe(1)
    // Starting again does not add a second iteration; the env changes the schedule.
    await shutdownQueues()
    process.env.CLEANUP_SCHEDULE = '900000'
    await initializeQueues({ connection: connection(), prefix, logger: null, processors: noop })
    const again = getQueues().find((q) => q.name === 'cleanup')!
    expect(await again.getJobSchedulers()).toEqual([expect.objectContaining({ every: 900000 })])
    expect(await again.getJobCountByTypes('delayed', 'waiting')).toBe(1)
    // off removes it; a bad value is a clear error naming the variable.
    await shutdownQueues()
    process.env.CLEANUP_SCHEDULE = 'off'
    await initializeQueues({ connection: connection(), prefix, logger: null, processors: noop })
    expect(await getQueues().find((q) => q.name === 'cleanup')!.getJobSchedulersCount()).toBe(0)
    await shutdownQueues()
    process.env.CLEANUP_SCHEDULE = 'hourly please'
    await expect(initializeQueues({ connection: connection(), prefix, logger: null, processors: noop }))
      .rejects.toMatchObject({ code: 'ERR_FERROQ_INVALID_OPTION', message: expect.stringContaining('CLEANUP_SCHEDULE') })
  })

  test('helpers validate their arguments with clear errors', async () => {
    await initializeQueues({ connection: connection(), prefix: `email-v-${Date.now()}`, logger: null, processors: {} })
    const cases: [Promise<unknown>, RegExp][] = [
      [emailQueue.sendVerificationCode('not-an-email', '1', 'A'), /email/],
      [emailQueue.sendVerificationCode('a@b.co', '', 'A'), /code/],
      [emailQueue.sendPasswordReset('a@b.co', undefined as never, 'A'), /resetToken/],
      [emailQueue.sendWelcomeEmail(1, undefined as never), /courseId/],
      [emailQueue.sendPaymentReceipt(1, 'p', undefined as never), /courseId/],
    ]
    for (const [p, re] of cases) {
      const err = await p.then(() => null, (e: Error & { code?: string }) => e)
      expect(err).toBeInstanceOf(Error)
      expect(err!.code).toBe('ERR_FERROQ_INVALID_OPTION')
      expect(err!.message).toMatch(re)
    }
  })

  test('retries come from JOB_MAX_RETRIES / JOB_RETRY_DELAY; a bad env value is a clear error', async () => {
    process.env.JOB_MAX_RETRIES = '2'
    process.env.JOB_RETRY_DELAY = '10'
    let calls = 0
    await initializeQueues({
      connection: connection(), prefix: `email-r-${Date.now()}`, logger: null,
      processors: { email: { 'send-password-reset': async () => { calls++; throw new Error('nope') } } },
    })
    const id = await emailQueue.sendPasswordReset('a@b.co', 'tok', 'A')
    const q = getQueues()[0]
    await eventually(async () => (await q.getJobState(id)) === 'failed')
    expect(calls).toBe(2)
    await shutdownQueues()
    process.env.SYNC_QUEUE_CONCURRENCY = 'lots'
    await expect(initializeQueues({ connection: connection(), logger: null })).rejects.toThrow(/SYNC_QUEUE_CONCURRENCY/)
  })

  test('with REDIS_ENABLED=false the helpers run the processor inline and warn', async () => {
    process.env.REDIS_ENABLED = 'false'
    const warnings: string[] = []
    const sent: unknown[] = []
    await initializeQueues({
      logger: { info: () => {}, warn: (m: string) => warnings.push(m), error: () => {} },
      processors: { email: { 'send-payment-receipt': async (d: unknown) => { sent.push(d) } } },
    })
    const id = await emailQueue.sendPaymentReceipt(5, 'pay-1', 9)
    expect(id).toMatch(/^inline-/)
    expect(sent).toEqual([{ userId: 5, paymentId: 'pay-1', courseId: 9 }])
    expect(warnings.some((w) => /inline/.test(w))).toBe(true)
  })

  test('shutdownQueues waits for running jobs and is idempotent', async () => {
    let finished = 0
    await initializeQueues({
      connection: connection(), prefix: `email-s-${Date.now()}`, logger: null,
      processors: { email: async () => { await new Promise((r) => setTimeout(r, 150)); finished++ } },
    })
    await emailQueue.sendWelcomeEmail(1, 2)
    const q: Queue = getQueues()[0]
    await eventually(async () => (await q.getActiveCount()) === 1)
    await Promise.all([shutdownQueues(), shutdownQueues()])
    expect(finished).toBe(1)
  })
})
