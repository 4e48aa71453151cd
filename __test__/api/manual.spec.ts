// BullMQ's "manual processing" guide, run against ferroq and bullmq alike:
// a worker without a processor hands out jobs locked with the caller's token
// (getNextJob), and the caller extends the lock and settles each job itself.
import { BOTH, closer } from './parity'
import { queueName } from '../helpers'

type ManualJob = {
  id: string
  data: { n: number }
  token?: string
  attemptsMade: number
  failedReason: string
  returnvalue: unknown
  finishedOn?: number
  extendLock(token: string, duration: number): Promise<number>
  moveToCompleted(value: unknown, token: string, fetchNext?: boolean): Promise<unknown>
  moveToFailed(err: Error, token: string, fetchNext?: boolean): Promise<unknown>
  moveToWait(token?: string): Promise<number>
  getState(): Promise<string>
}

describe.each(BOTH)('manual processing on %s', (_label, { lib, connection }) => {
  const c = closer()
  afterEach(() => c.closeAll())

  function setup(tag: string) {
    const name = queueName(tag)
    const queue = c.add(new lib.Queue(name, { connection: connection() }))
    const worker = c.add(new lib.Worker(name, null, { connection: connection() }))
    return { name, queue, worker }
  }

  test('getNextJob, extendLock and moveToCompleted with the caller\'s token', async () => {
    const { queue, worker } = setup('manual-ok')
    await queue.add('m', { n: 1 })
    const token = 'my-token'
    const job: ManualJob = await worker.getNextJob(token)
    expect(job.data).toEqual({ n: 1 })
    expect(await job.getState()).toBe('active')
    expect(await job.extendLock(token, 60_000)).toBe(1)
    expect(await job.extendLock('not-my-token', 60_000)).toBe(0)
    await job.moveToCompleted({ done: true }, token, false)
    expect(job.returnvalue).toEqual({ done: true })
    expect(job.attemptsMade).toBe(1)
    expect(typeof job.finishedOn).toBe('number')
    const stored = await queue.getJob(job.id)
    expect(await stored.getState()).toBe('completed')
    expect(stored.returnvalue).toEqual({ done: true })
    // The queue is empty now: the first empty call answers at once.
    expect(await worker.getNextJob(token)).toBeUndefined()
  })

  test('moveToCompleted with fetchNext hands over the next job, already active under the same token', async () => {
    const { queue, worker } = setup('manual-next')
    await queue.addBulk([{ name: 'a', data: { n: 1 } }, { name: 'b', data: { n: 2 } }])
    const token = 'tk'
    const first: ManualJob = await worker.getNextJob(token)
    const next = (await first.moveToCompleted('one', token, true)) as [{ data: string }, string]
    expect(Array.isArray(next)).toBe(true)
    const [jobJson, jobId] = next
    expect(JSON.parse(jobJson.data)).toEqual({ n: 2 })
    const second: ManualJob = lib.Job.fromJSON(worker, jobJson, jobId)
    expect(await second.getState()).toBe('active')
    expect(await (second.moveToCompleted('two', token, true))).toEqual([])
    expect(await queue.getJobCounts('completed', 'active')).toEqual({ completed: 2, active: 0 })
  })

  test('moveToFailed retries while attempts remain, then fails the job', async () => {
    const { queue, worker } = setup('manual-fail')
    await queue.add('f', { n: 1 }, { attempts: 2 })
    const token = 'tk'
    let job: ManualJob = await worker.getNextJob(token)
    await job.moveToFailed(new Error('first'), token)
    expect(job.attemptsMade).toBe(1)
    expect(job.failedReason).toBe('first')
    expect(await job.getState()).toBe('waiting')
    job = await worker.getNextJob(token)
    await job.moveToFailed(new Error('second'), token)
    expect(await job.getState()).toBe('failed')
    const stored = await queue.getJob(job.id)
    expect([stored.attemptsMade, stored.failedReason, stored.stacktrace.length]).toEqual([2, 'second', 2])
  })

  test('a wrong token is refused; moveToWait puts the job back', async () => {
    const { queue, worker } = setup('manual-token')
    await queue.add('t', { n: 1 })
    const job: ManualJob = await worker.getNextJob('right')
    await expect(job.moveToCompleted('x', 'wrong', false)).rejects.toThrow(`Lock mismatch for job ${job.id}. Cmd moveToFinished from active`)
    await job.moveToWait('right')
    expect(await job.getState()).toBe('waiting')
    expect(await queue.getActiveCount()).toBe(0)
  })
})
