// What the add-lane specs share: a private redis-server with an admin client
// and a queue factory for one describe block, opening a queue's lane, and a
// TCP proxy in front of Redis whose relaying each spec shapes.
import * as net from 'node:net'
import IORedis from 'ioredis'
import { Queue } from '..'
import { eventually, queueName } from './helpers'

const { startRedis } = require('./setup/redis-server.js')

export type Server = { url: string; port: number; stop(): Promise<void> }
export type Lane = { ready: boolean; waiting: unknown[]; partial: boolean; socket: { destroyed: boolean }; _data: (c: Buffer) => void }
export type Native = { _lane: Lane | null; _laneOff: boolean; raw: Record<string, (...a: unknown[]) => unknown> }

/** The queue's native handle, which holds its lane. */
export const nativeOf = (q: Queue) => (q as unknown as { _native: Native })._native

/**
 * Registers the describe block's hooks: a private redis-server and an admin
 * client for the block, every queue made by `queue()` (or pushed on `open`)
 * closed after each test.
 */
export function laneRig() {
  const rig = {
    server: undefined as unknown as Server,
    admin: undefined as unknown as IORedis,
    open: [] as Queue[],
    /** A queue on the block's server (or on `url`), closed after the test. */
    queue(tag: string, opts: Record<string, unknown> = {}, url?: string): Queue {
      const q = new Queue(queueName(tag), { connection: { url: url ?? rig.server.url }, ...opts })
      rig.open.push(q)
      return q
    },
  }
  beforeAll(async () => {
    rig.server = await startRedis()
    rig.admin = new IORedis({ host: '127.0.0.1', port: rig.server.port })
  })
  afterEach(async () => {
    for (const q of rig.open.splice(0)) await q.close()
  })
  afterAll(async () => {
    await rig.admin.quit()
    await rig.server.stop()
  })
  return rig
}

/** Opens `q`'s lane: its first add goes the engine's way, the second opens the lane; resolves once it is ready. */
export async function openLane(q: Queue): Promise<Lane> {
  await q.add('first', {})
  await q.add('second', {})
  await eventually(() => nativeOf(q)._lane?.ready === true)
  return nativeOf(q)._lane!
}

/**
 * A TCP proxy in front of Redis at `port` on a free loopback port. For each
 * connection, `wire(client, up)` sets how bytes go between the client and
 * Redis; closes and errors on either side end both. `stop()` cuts every
 * connection still open (the engine may drop its own a moment after close()).
 */
export async function tcpProxy(port: number, wire: (client: net.Socket, up: net.Socket) => void) {
  const sockets: net.Socket[] = []
  const server = net.createServer((client) => {
    client.setNoDelay(true)
    const up = net.connect(port, '127.0.0.1')
    sockets.push(client, up)
    wire(client, up)
    up.on('close', () => client.destroy())
    client.on('close', () => up.destroy())
    client.on('error', () => up.destroy())
    up.on('error', () => client.destroy())
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as net.AddressInfo).port,
    async stop() {
      for (const s of sockets) s.destroy()
      await new Promise((r) => server.close(r))
    },
  }
}

/** Counts, from now on, the calls to the native methods `names` of `q`'s handle. */
export function countCalls<K extends string>(q: Queue, names: readonly K[]): Record<K, number> {
  const raw = nativeOf(q).raw
  const seen = Object.fromEntries(names.map((n) => [n, 0])) as Record<K, number>
  for (const f of names) {
    const real = raw[f]
    raw[f] = function (this: unknown, ...a: unknown[]) {
      seen[f]++
      return real.apply(this, a)
    }
  }
  return seen
}
