// A settle that Redis applied but whose reply never came back (the connection
// died in between): the worker sends it again after reconnecting, finds the
// lock already released, and must count the job as settled, not report a lost
// lock. The worker talks to Redis through a loopback proxy that, once armed,
// forwards the worker's next command and then cuts the connection when the
// answer starts to come back (the connection sends the command once more on
// a new connection, as ioredis resends unfulfilled commands).
import * as net from 'node:net'
import { Queue, Worker, Job } from '../..'
import { startRedis, RedisServer, tally, sleep } from './support'

const TOTAL = 40
const CUT_AT = 10

let redis: RedisServer
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(async () => {
  await redis.stop()
})

/** A TCP proxy to `port`; `arm()` makes it lose the reply to the next command it forwards. */
async function lossyProxy(port: number) {
  let armed = false
  let cuts = 0
  const open = new Set<net.Socket>()
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1')
    open.add(client)
    open.add(upstream)
    let doomed = false
    const end = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('data', (d) => {
      upstream.write(d)
      if (armed && !doomed) {
        armed = false
        doomed = true
      }
    })
    upstream.on('data', (d) => {
      if (doomed) {
        cuts++
        end()
      } else {
        client.write(d)
      }
    })
    for (const s of [client, upstream]) {
      s.on('error', end)
      s.on('close', () => {
        open.delete(s)
        end()
      })
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const address = server.address() as net.AddressInfo
  return {
    url: `redis://127.0.0.1:${address.port}`,
    arm: () => {
      armed = true
    },
    cuts: () => cuts,
    close: async () => {
      for (const s of open) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

test('a settle applied with its reply lost counts as settled once: no lock error, every job completes once', async () => {
  const name = 'lost-reply'
  const proxy = await lossyProxy(redis.port)
  const queue = new Queue(name, { connection: { url: redis.url } })
  const ids = (await queue.addBulk(Array.from({ length: TOTAL }, (_, i) => ({ name: 'j', data: { i } })))).map((j) => j.id!)
  let worker: Worker | undefined
  try {
    const ran: string[] = []
    const completed: string[] = []
    const errors: Array<Error & { code?: string }> = []
    // Concurrency 1 and 30 ms jobs: no job is fetched ahead, one call at a
    // time, so the command after the arming is the settling of job CUT_AT.
    // The job that call fetched is known to Redis only (its reply was lost):
    // a short lock brings it back through the stalled check.
    worker = new Worker(
      name,
      async (job) => {
        ran.push(job.id!)
        await sleep(30)
        if (ran.length === CUT_AT) proxy.arm()
      },
      { connection: { url: proxy.url }, concurrency: 1, lockDuration: 2000, stalledInterval: 1000 },
    )
    worker.on('error', (e) => errors.push(e))
    worker.on('completed', (job: Job) => completed.push(job.id!))
    const deadline = Date.now() + 30000
    while ((await queue.getJobCounts('completed')).completed < TOTAL && Date.now() < deadline) await sleep(50)
    while (completed.length < TOTAL && Date.now() < deadline) await sleep(20)

    const counts = await queue.getJobCounts('completed', 'failed', 'active', 'wait')
    const { duplicates, lost } = tally(ran, ids)
    const codes = errors.map((e) => e.code)
    console.log(`lost-reply: cuts=${proxy.cuts()} counts=${JSON.stringify(counts)} ran=${ran.length} completed events=${completed.length} errors=${JSON.stringify(codes)}`)
    expect(proxy.cuts()).toBe(1)
    expect(counts).toEqual({ completed: TOTAL, failed: 0, active: 0, wait: 0 })
    expect(lost).toEqual([])
    expect(duplicates).toEqual([])
    // The cut connection shows as a connection error; the second settling of
    // the job whose reply was lost is not a lock error.
    for (const code of codes) expect(code).toBe('ERR_FERROQ_CONNECTION')
    expect([...completed].sort()).toEqual([...ids].sort())
  } finally {
    await worker?.close()
    await queue.close()
    await proxy.close()
  }
})
