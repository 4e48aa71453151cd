// A lone add without options on the add lane is written by JS from Rust's
// template, and its usual reply (`*1 $n <id>`) is read by JS, with no native
// call per add (src/js/lane.js `simple` and `loneId`). What it stores must be
// what the engine's own encoding stores, byte for byte; every other add and
// every other reply (errors, replies cut into pieces) still goes through Rust.
import * as net from 'node:net'
import IORedis from 'ioredis'
import { Queue } from '..'
import { describeRedisOnly, eventually, queueName } from './helpers'

const { startRedis } = require('./setup/redis-server.js')
const { loneId } = require('../src/js/lane.js')

type Server = { url: string; port: number; stop(): Promise<void> }
type Native = { _lane: { ready: boolean; tpl: unknown } | null; raw: { laneEncode: (...a: unknown[]) => unknown } }

const nativeOf = (q: Queue) => (q as unknown as { _native: Native })._native

/** Opens `q`'s lane and counts its native encodes from then on. */
async function withLane(q: Queue): Promise<{ encodes: number }> {
  await q.add('first', {})
  await q.add('second', {})
  await eventually(() => nativeOf(q)._lane?.ready === true)
  const raw = nativeOf(q).raw
  const seen = { encodes: 0 }
  const encode = raw.laneEncode
  raw.laneEncode = function (...a: unknown[]) {
    seen.encodes++
    return encode.apply(this, a)
  }
  return seen
}

const NAMES_AND_DATA: [string, unknown][] = [
  ['plain', { i: 1 }],
  ['é \r\n名前 $5', { s: 'ü$\r\n*3', emoji: '🦀', n: [1, 2.5, null] }],
  ['', 'just a string'],
  ['nested', { a: { b: { c: ['x', { d: true }] } } }],
]

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
  let server: Server
  let admin: IORedis
  const open: Queue[] = []
  const queue = (tag: string, opts: Record<string, unknown> = {}, url?: string) => {
    const q = new Queue(queueName(tag), { connection: { url: url ?? server.url }, ...opts })
    open.push(q)
    return q
  }
  beforeAll(async () => {
    server = await startRedis()
    admin = new IORedis({ host: '127.0.0.1', port: server.port })
  })
  afterEach(async () => {
    for (const q of open.splice(0)) await q.close()
  })
  afterAll(async () => {
    await admin.quit()
    await server.stop()
  })

  test('stores what the engine stores, with no native call per add', async () => {
    const stored = async (q: Queue, id: string) => {
      const h = (await admin.hgetall(`bull:${q.name}:${id}`)) as Record<string, string>
      return { ...h, timestamp: typeof h.timestamp }
    }
    const q = queue('lone')
    const seen = await withLane(q)
    const jobs = []
    for (const [name, data] of NAMES_AND_DATA) jobs.push(await q.add(name, data))
    expect(seen.encodes).toBe(0)
    expect(jobs.map((j) => j.id)).toEqual(['3', '4', '5', '6'])

    process.env.FERROQ_LANE = '0'
    const off = queue('lone-off')
    try {
      await off.add('first', {})
      await off.add('second', {})
      for (const [name, data] of NAMES_AND_DATA) await off.add(name, data)
    } finally {
      delete process.env.FERROQ_LANE
    }
    expect(nativeOf(off)._lane).toBeNull()
    for (const id of ['3', '4', '5', '6']) expect(await stored(q, id)).toEqual(await stored(off, id))
    for (const j of jobs) {
      const back = await q.getJob(j.id!)
      expect([back!.name, back!.data, back!.timestamp, back!.opts]).toEqual([j.name, j.data, j.timestamp, { attempts: 0 }])
    }
    expect(await q.getJobCounts('waiting')).toEqual({ waiting: 6 })
  })

  test('adds with options, or data over the queue limit, go through the engine encoding', async () => {
    const q = queue('lone-limit', { maxDataBytes: 40 })
    const seen = await withLane(q)
    await q.add('small', { v: 1 })
    expect(seen.encodes).toBe(0)
    await q.add('opts', { v: 2 }, { priority: 3 })
    expect(seen.encodes).toBe(1)
    await expect(q.add('big', { pad: 'x'.repeat(60) })).rejects.toMatchObject({ code: 'ERR_FERROQ_INVALID_OPTION' })
    expect(seen.encodes).toBe(2)
    expect(await q.count()).toBe(4)
  })

  test('replies arriving a byte at a time settle each add once, with its own id', async () => {
    // A proxy that hands the lane Redis's bytes one at a time.
    const sockets: net.Socket[] = []
    const proxy = net.createServer((client) => {
      client.setNoDelay(true)
      const up = net.connect(server.port, '127.0.0.1')
      sockets.push(client, up)
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
      up.on('close', () => client.destroy())
      client.on('close', () => up.destroy())
      client.on('error', () => up.destroy())
      up.on('error', () => client.destroy())
    })
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
    try {
      const port = (proxy.address() as net.AddressInfo).port
      const q = queue('lone-split', {}, `redis://127.0.0.1:${port}`)
      await withLane(q)
      const ids: string[] = []
      for (let i = 0; i < 15; i++) ids.push((await q.add('x', { i })).id!)
      const tick = await Promise.all(Array.from({ length: 5 }, (_, i) => q.add('t', { i })))
      ids.push(...tick.map((j) => j.id!))
      for (let i = 15; i < 20; i++) ids.push((await q.add('x', { i })).id!)
      expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 3)))
      expect(await q.count()).toBe(27)
    } finally {
      for (const q of open.splice(0)) await q.close()
      // The engine may drop its connections a moment after close(): cut them.
      for (const s of sockets) s.destroy()
      await new Promise((r) => proxy.close(r))
    }
  }, 30000)
})
