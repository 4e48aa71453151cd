// The engine settles every outcome and says what it wrote; the Job object a
// worker's events hand out matches the stored job field for field.
import { Queue, Worker, Job, DelayedError } from '..'
import { connection, queueName, next, collect, eventually } from './helpers'

describe('settled outcomes', () => {
  test("'completed' hands out the stored attemptsMade and finishedOn", async () => {
    const name = queueName('settled-c')
    const queue = new Queue(name, { connection: connection() })
    const worker = new Worker(name, async () => 'ok', { connection: connection() })
    const done = next<[Job]>(worker, 'completed')
    await queue.add('c', {})
    const [job] = await done
    const stored = (await queue.getJob(job.id!))!
    expect(job.attemptsMade).toBe(1)
    expect(job.finishedOn).toBe(stored.finishedOn)
    await worker.close()
    await queue.close()
  })

  test("'failed' on a retry carries the delay, then the final failure its trace and finishedOn", async () => {
    const name = queueName('settled-f')
    const queue = new Queue(name, { connection: connection() })
    const worker = new Worker(
      name,
      async () => {
        throw new Error('boom')
      },
      { connection: connection() },
    )
    const failures = collect<[Job, Error]>(worker, 'failed', 2)
    await queue.add('f', {}, { attempts: 2, backoff: { type: 'fixed', delay: 50 } })
    const [[retry], [last]] = await failures
    // Each attempt is a new fetch, so each 'failed' has its own Job object.
    expect(retry.attemptsMade).toBe(1)
    expect(retry.delay).toBe(50)
    expect(retry.finishedOn).toBeUndefined()
    expect(retry.failedReason).toBe('boom')
    expect(retry.stacktrace).toHaveLength(1)

    const stored = (await queue.getJob(last.id!))!
    expect(last.attemptsMade).toBe(2)
    expect(last.finishedOn).toBe(stored.finishedOn)
    expect(last.stacktrace).toEqual(stored.stacktrace)
    expect(last.stacktrace).toHaveLength(2)
    expect(last.failedReason).toBe(stored.failedReason)
    await worker.close()
    await queue.close()
  })

  test('a job moved by user code (DelayedError) no longer counts as held: pause() returns', async () => {
    const name = queueName('settled-mv')
    const queue = new Queue(name, { connection: connection() })
    let runs = 0
    const worker = new Worker(
      name,
      async (job: Job, token?: string) => {
        runs++
        if (runs === 1) {
          await job.moveToDelayed(Date.now() + 60_000, token)
          throw new DelayedError()
        }
        return 'later'
      },
      { connection: connection() },
    )
    const { id } = await queue.add('m', {})
    await eventually(async () => (await queue.getDelayedCount()) === 1)
    // pause() waits for the jobs the worker holds; a let-go job must not be one of them.
    await worker.pause()
    expect(await queue.getJobState(id!)).toBe('delayed')
    expect((await queue.getJob(id!))!.attemptsMade).toBe(0)
    await worker.close()
    await queue.close()
  })
})
