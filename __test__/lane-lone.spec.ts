// A lone add on the add lane is written by JS from Rust's template for its
// options, and its usual reply (`*1 $n <id>`) is read by JS, with no native
// call per add (src/js/lane.js `simple` and `loneId`). What it stores must be
// what the engine's own encoding stores, byte for byte; adds no template
// covers and every other reply (errors, replies cut into pieces) still go
// through Rust.
import { Queue } from '..'
import { describeRedisOnly } from './helpers'
import { countCalls, laneRig, nativeOf, openLane, tcpProxy } from './lane-rig'

const { loneId } = require('../src/js/lane.js')

/** Opens `q`'s lane and counts its native encodes and template requests from then on. */
async function withLane(q: Queue): Promise<{ laneEncode: number; laneTemplate: number }> {
  await openLane(q)
  return countCalls(q, ['laneEncode', 'laneTemplate'])
}

const ADDS: [string, unknown, Record<string, unknown>?][] = [
  ['plain', { i: 1 }],
  ['é \r\n名前 $5', { s: 'ü$\r\n*3', emoji: '🦀', n: [1, 2.5, null] }],
  ['', 'just a string'],
  ['nested', { a: { b: { c: ['x', { d: true }] } } }],
  ['retried', { i: 2 }, { attempts: 3, backoff: { type: 'exponential', delay: 50 }, removeOnComplete: true }],
  ['retried', { i: 3 }, { attempts: 3, backoff: { type: 'exponential', delay: 50 }, removeOnComplete: true }],
  ['later', { i: 4 }, { delay: 60_000, priority: 4 }],
  ['ranked', { i: 5 }, { priority: 9, lifo: true }],
  ['once', { i: 6 }, { deduplication: { id: 'd1' } }],
  ['once', { i: 7 }, { deduplication: { id: 'd1' } }],
]
const IDS = ['3', '4', '5', '6', '7', '8', '9', '10', '11', '11']

test('loneId reads exactly one reply with one numeric id, and nothing else', () => {
  const b = (s: string) => Buffer.from(s, 'latin1')
  expect(loneId(b('*1\r\n$1\r\n7\r\n'))).toBe('7')
  expect(loneId(b('*1\r\n$5\r\n12345\r\n'))).toBe('12345')
  for (const s of [
    '*1\r\n$1\r\n7\r', // cut short
    '*1\r\n$2\r\n7\r\n', // length says more
    '*1\r\n$1\r\n7\r\n*1\r\n$1\r\n8\r\n', // two replies
    '*1\r\n$1\r\na\r\n', // not a counter id
    '*2\r\n$1\r\n1\r\n$1\r\n2\r\n',
    '*1\r\n$-1\r\n',
    '*1\r\n$0\r\n\r\n',
    '-NOSCRIPT No matching script\r\n',
    '+OK\r\n',
  ]) {
    expect(loneId(b(s))).toBeNull()
  }
})

describeRedisOnly('a lone add built and read by JS', () => {
  const rig = laneRig()

  test('stores what the engine stores, with no native call per add', async () => {
    const stored = async (q: Queue, id: string) => {
      const h = (await rig.admin.hgetall(`bull:${q.name}:${id}`)) as Record<string, string>
      return { ...h, timestamp: typeof h.timestamp }
    }
    const q = rig.queue('lone')
    const seen = await withLane(q)
    const jobs = []
    for (const [name, data, opts] of ADDS) jobs.push(await q.add(name, data, opts))
    // One template per distinct options; nothing else native on the way.
    expect(seen).toEqual({ laneEncode: 0, laneTemplate: 5 })
    expect(jobs.map((j) => j.id)).toEqual(IDS)

    process.env.FERROQ_LANE = '0'
    const off = rig.queue('lone-off')
    try {
      await off.add('first', {})
      await off.add('second', {})
      for (const [name, data, opts] of ADDS) await off.add(name, data, opts)
    } finally {
      delete process.env.FERROQ_LANE
    }
    expect(nativeOf(off)._lane).toBeNull()
    for (const id of IDS) expect(await stored(q, id)).toEqual(await stored(off, id))
    for (const j of jobs.slice(0, 4)) {
      const back = await q.getJob(j.id!)
      expect([back!.name, back!.data, back!.timestamp, back!.opts]).toEqual([j.name, j.data, j.timestamp, { attempts: 0 }])
    }
    const counts = { waiting: 9, prioritized: 1, delayed: 1 }
    expect(await q.getJobCounts('waiting', 'prioritized', 'delayed')).toEqual(counts)
    expect(await off.getJobCounts('waiting', 'prioritized', 'delayed')).toEqual(counts)
    expect(await rig.admin.xlen(`bull:${q.name}:events`)).toBe(await rig.admin.xlen(`bull:${off.name}:events`))
  })

  test('a custom jobId, data over a limit or invalid options go through the engine encoding', async () => {
    const q = rig.queue('lone-limit', { maxDataBytes: 40 })
    const seen = await withLane(q)
    await q.add('small', { v: 1 })
    expect(seen.laneEncode).toBe(0)
    expect((await q.add('own', { v: 2 }, { jobId: 'mine' })).id).toBe('mine')
    expect(seen.laneEncode).toBe(1)
    await expect(q.add('big', { pad: 'x'.repeat(60) })).rejects.toMatchObject({ code: 'ERR_FERROQ_INVALID_OPTION' })
    await expect(q.add('capped', { pad: 'x'.repeat(20) }, { sizeLimit: 10 })).rejects.toMatchObject({ code: 'ERR_FERROQ_INVALID_OPTION' })
    await expect(q.add('bad', {}, { delay: -5 })).rejects.toMatchObject({ code: 'ERR_FERROQ_INVALID_OPTION' })
    expect(seen.laneEncode).toBe(4)
    // Options this long keep no template (each would be held as long as the lane).
    const templates = seen.laneTemplate
    await q.add('long', { v: 3 }, { note: 'n'.repeat(5000) } as Record<string, unknown>)
    expect([seen.laneEncode, seen.laneTemplate]).toEqual([5, templates])
    expect(await q.count()).toBe(5)
  })

  test('replies arriving a byte at a time settle each add once, with its own id', async () => {
    // A proxy that hands the lane Redis's bytes one at a time.
    const proxy = await tcpProxy(rig.server.port, (client, up) => {
      client.pipe(up)
      let chain = Promise.resolve()
      up.on('data', (chunk: Buffer) => {
        for (const byte of chunk) {
          chain = chain.then(
            () =>
              new Promise<void>((r) => {
                if (!client.destroyed) client.write(Buffer.from([byte]))
                setImmediate(r)
              }),
          )
        }
      })
    })
    try {
      const q = rig.queue('lone-split', {}, `redis://127.0.0.1:${proxy.port}`)
      await withLane(q)
      const ids: string[] = []
      for (let i = 0; i < 15; i++) ids.push((await q.add('x', { i })).id!)
      const tick = await Promise.all(Array.from({ length: 5 }, (_, i) => q.add('t', { i })))
      ids.push(...tick.map((j) => j.id!))
      for (let i = 15; i < 20; i++) ids.push((await q.add('x', { i })).id!)
      expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 3)))
      expect(await q.count()).toBe(27)
    } finally {
      for (const q of rig.open.splice(0)) await q.close()
      await proxy.stop()
    }
  }, 30000)
})
