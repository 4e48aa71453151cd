// Redis is not there when the app starts: Queue.add rejects quickly with
// ERR_FERROQ_CONNECTION, a Worker reports the outage once and keeps retrying, then
// processes jobs once a redis-server appears on that port; close() does not
// hang while Redis is down.
import { Queue, Worker, QueueEvents, Job } from '../..'
import { freePort, startRedisOn, RedisServer, within, sleep } from './support'

type Coded = Error & { code?: string }

let redis: RedisServer | undefined
afterAll(async () => {
  if (redis) await redis.stop()
})

test('nothing listening: add rejects with ERR_FERROQ_CONNECTION; the worker retries and runs once Redis appears', async () => {
  const port = await freePort()
  const connection = { url: `redis://127.0.0.1:${port}` }
  const queue = new Queue('unreachable', { connection })

  const err = await within(queue.add('j', {}).then(() => null, (e: Coded) => e), 5000, 'Queue.add with Redis down')
  expect(err).not.toBeNull()
  expect(err!.code).toBe('ERR_FERROQ_CONNECTION')
  const getErr = await within(queue.getJobCounts().then(() => null, (e: Coded) => e), 5000, 'getJobCounts with Redis down')
  expect(getErr!.code).toBe('ERR_FERROQ_CONNECTION')

  const errors: Coded[] = []
  const done: string[] = []
  const worker = new Worker('unreachable', async (job) => job.data.n * 2, { connection, drainDelay: 1 })
  worker.on('error', (e: Coded) => errors.push(e))
  worker.on('completed', (job: Job) => done.push(job.id!))
  const events = new QueueEvents('unreachable', { connection })
  const eventErrors: Coded[] = []
  events.on('error', (e: Coded) => eventErrors.push(e))

  // The outage is reported once (an 'error' event per episode, not per
  // attempt); the worker keeps retrying: it runs jobs once Redis appears below.
  const deadline = Date.now() + 10000
  while ((errors.length === 0 || eventErrors.length === 0) && Date.now() < deadline) await sleep(50)
  await sleep(1500)
  expect(errors.length).toBe(1)
  expect(errors[0].code).toBe('ERR_FERROQ_CONNECTION')
  expect(errors[0].message).toContain(`127.0.0.1:${port}`)
  expect(eventErrors.length).toBe(1)
  expect(eventErrors[0].code).toBe('ERR_FERROQ_CONNECTION')

  // A second worker created and closed while Redis is still down: close() returns.
  const idle = new Worker('unreachable', async () => undefined, { connection })
  idle.on('error', () => undefined)
  await sleep(300)
  await within(idle.close(), 5000, 'Worker.close() with Redis down')

  redis = await startRedisOn(port)
  const ids = (await queue.addBulk([1, 2, 3].map((n) => ({ name: 'j', data: { n } })))).map((j) => j.id!)
  while (done.length < ids.length && Date.now() < deadline + 15000) await sleep(50)
  console.log(`redis-unreachable: worker errors before Redis appeared=${errors.length}, events errors=${eventErrors.length}, completed after=${done.length}/3`)
  expect(done.sort()).toEqual(ids.sort())
  const stored = await queue.getJob(ids[2])
  expect(stored!.returnvalue).toBe(6)

  await worker.close()
  await events.close()
  await queue.close()
})

test('close() of a Queue, Worker and QueueEvents does not hang while Redis stays down', async () => {
  const port = await freePort()
  const connection = { url: `redis://127.0.0.1:${port}` }
  const queue = new Queue('down', { connection })
  const worker = new Worker('down', async () => undefined, { connection })
  worker.on('error', () => undefined)
  const events = new QueueEvents('down', { connection })
  events.on('error', () => undefined)
  const pending = queue.add('j', {}).catch((e: Coded) => e)
  await sleep(200)
  await within(Promise.all([worker.close(), events.close(), queue.close()]), 5000, 'closing everything with Redis down')
  expect(((await pending) as Coded).code).toMatch(/^ERR_FERROQ_/)
})
