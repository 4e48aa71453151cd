// Adversarial checks of the add lane's JS fast path (src/js/lane.js): replies
// of several batches cut and glued at every byte boundary must settle each add
// once with its own id, whichever reader (JS's or Rust's) reads them; and a
// lone add written from a template must store what the engine path stores and
// fail with what it fails with, at the size limits and for names that are not
// well-formed UTF-16.
import type * as net from 'node:net'
import { Queue } from '..'
import { describeRedisOnly, eventually } from './helpers'
import { countCalls, laneRig, nativeOf, openLane, tcpProxy } from './lane-rig'

const tick = () => new Promise<void>((r) => setImmediate(r))
const reply = (ids: number[]) => `*${ids.length}\r\n` + ids.map((id) => `$${String(id).length}\r\n${id}\r\n`).join('')

/**
 * A proxy in front of Redis that, once `hold` is set, keeps what Redis sends
 * the lane's socket (the one whose first command is SCRIPT LOAD) until
 * `release(n)` passes on its first `n` bytes.
 */
async function holdingProxy(port: number) {
  const state = { hold: false, held: Buffer.alloc(0), lane: null as net.Socket | null, lanes: 0 }
  const proxy = await tcpProxy(port, (client, up) => {
    let first = true
    let isLane = false
    client.on('data', (c: Buffer) => {
      if (first) {
        first = false
        isLane = c.toString('latin1').startsWith('*3\r\n$6\r\nSCRIPT\r\n$4\r\nLOAD\r\n')
        if (isLane) {
          state.lane = client
          state.lanes++
        }
      }
      up.write(c)
    })
    up.on('data', (c: Buffer) => {
      if (isLane && state.hold) state.held = Buffer.concat([state.held, c])
      else if (!client.destroyed) client.write(c)
    })
  })
  return {
    state,
    port: proxy.port,
    release(n: number) {
      const piece = state.held.subarray(0, n)
      state.held = state.held.subarray(n)
      state.lane!.write(piece)
    },
    stop: proxy.stop,
  }
}

describeRedisOnly('the add lane under adversarial replies and inputs', () => {
  const rig = laneRig()

  test('replies of several batches cut at every byte settle each add once, with its own id', async () => {
    const proxy = await holdingProxy(rig.server.port)
    try {
      const q = rig.queue('adv-cut', {}, `redis://127.0.0.1:${proxy.port}`)
      const lane = await openLane(q)
      // Count the chunks the lane reads, to pass on the next piece only once
      // the previous one was read on its own.
      let chunks = 0
      const read = lane._data
      lane._data = function (c: Buffer) {
        chunks++
        return read.call(this, c)
      }
      const piece = async (n: number) => {
        if (n <= 0) return
        const before = chunks
        proxy.release(n)
        await eventually(() => chunks > before)
      }
      let total = 2
      // Batches, each issued in its own tick: [lone, lone] and [lone, pair, lone].
      for (const shape of [
        [1, 1],
        [1, 2, 1],
      ]) {
        // An upper bound of the stream's length (cuts past its end pass it whole).
        const size = 48
        const cuts: number[][] = []
        for (let a = 0; a <= size + 1; a += shape.length === 2 ? 1 : 3) {
          if (shape.length === 2) cuts.push([a])
          else for (let b = a; b <= size + 1; b += 9) cuts.push([a, b])
        }
        for (const cut of cuts) {
          // The ids this round's adds get, in order, from the queue's counter.
          let last = Number(await rig.admin.get(`bull:${q.name}:id`))
          const batchIds = shape.map((n) => Array.from({ length: n }, () => ++last))
          proxy.state.hold = true
          const adds: Promise<string | undefined>[] = []
          for (const n of shape) {
            for (let j = 0; j < n; j++) adds.push(q.add('cut', { cut }).then((job) => job.id))
            await tick()
          }
          total += adds.length
          expect(lane.waiting.length).toBe(shape.length)
          const expected = batchIds.map(reply).join('')
          await eventually(() => proxy.state.held.length >= expected.length)
          expect(proxy.state.held.toString('latin1')).toBe(expected)
          proxy.state.hold = false
          let at = 0
          for (const c of cut) {
            const upTo = Math.min(c, expected.length)
            await piece(upTo - at)
            at = Math.max(at, upTo)
          }
          await piece(expected.length - at)
          expect(await Promise.all(adds)).toEqual(batchIds.flat().map(String))
          expect(lane.partial).toBe(false)
          expect(lane.waiting.length).toBe(0)
        }
      }
      // One lane all along, and every add stored exactly once.
      expect(nativeOf(q)._lane).toBe(lane)
      expect(proxy.state.lanes).toBe(1)
      expect(await q.count()).toBe(total)
    } finally {
      for (const q of rig.open.splice(0)) await q.close()
      await proxy.stop()
    }
  }, 60000)

  test('a socket cut while the reply to a batch is arriving: the batch ran, so it fails instead of being added again', async () => {
    const proxy = await holdingProxy(rig.server.port)
    try {
      // A lone add (written by JS from a template) and a batch of three (encoded by Rust).
      for (const n of [1, 3]) {
        const q = rig.queue(`adv-break-${n}`, {}, `redis://127.0.0.1:${proxy.port}`)
        const lane = await openLane(q)
        proxy.state.hold = true
        const adds = Array.from({ length: n }, (_, i) => q.add('cut', { i }).catch((e: Error & { code?: string }) => e))
        await tick()
        expect(lane.waiting.length).toBe(1)
        // Redis ran the batch and answered; the lane gets the reply's first bytes only.
        const whole = reply(Array.from({ length: n }, (_, i) => 3 + i))
        await eventually(() => proxy.state.held.length >= whole.length)
        expect(proxy.state.held.toString('latin1')).toBe(whole)
        proxy.state.hold = false
        proxy.release(5)
        await eventually(() => lane.partial)
        proxy.state.held = Buffer.alloc(0)
        proxy.state.lane!.destroy()
        for (const e of await Promise.all(adds)) expect(e).toMatchObject({ code: 'ERR_FERROQ_CONNECTION' })
        expect(await q.count()).toBe(2 + n)
      }
    } finally {
      for (const q of rig.open.splice(0)) await q.close()
      await proxy.stop()
    }
  }, 30000)

  test('names that are not well-formed UTF-16 and data at the size limits: as the engine path stores and refuses them', async () => {
    // maxDataBytes 60 and sizeLimit 40: the tighter applies; multi-byte data
    // is counted in UTF-8 bytes.
    const CASES: [string, unknown, Record<string, unknown>][] = [
      ['\ud800', { s: 'a' }, {}],
      ['x\udc00y\ud83d', { s: 'é'.repeat(10) }, {}],
      ['\udfff\ud800', 'é'.repeat(19), { sizeLimit: 40 }], // 40 bytes: fits
      ['over-size-limit', 'é'.repeat(19) + 'a', { sizeLimit: 40 }], // 41 bytes
      ['\ud800at-queue-limit', 'é'.repeat(29), {}], // 60 bytes: fits
      ['over-queue-limit', 'é'.repeat(29) + 'a', {}], // 61 bytes
      ['loose limit', 'é'.repeat(30), { sizeLimit: 100 }], // the queue's 60 applies
      ['zero limit', 'é'.repeat(29), { sizeLimit: 0 }], // none of its own
    ]
    const settle = (p: Promise<{ id?: string }>) =>
      p.then(
        (j) => ({ id: j.id }),
        (e: Error & { code?: string }) => ({ code: e.code, message: e.message }),
      )
    const run = async (q: Queue) => {
      await q.add('first', {})
      await q.add('second', {})
      const lane = nativeOf(q)._lane
      let seen = { laneEncode: 0 }
      if (lane !== null) {
        await eventually(() => lane.ready)
        seen = countCalls(q, ['laneEncode'])
      }
      const out: Record<string, unknown>[] = []
      for (const [name, data, opts] of CASES) out.push(await settle(q.add(name, data, opts)))
      return { out, encodes: seen.laneEncode }
    }
    const q = rig.queue('adv-utf', { maxDataBytes: 60 })
    const { out: got, encodes } = await run(q)
    // Only the adds over a limit were encoded by Rust (which refused them).
    expect(encodes).toBe(3)
    process.env.FERROQ_LANE = '0'
    const off = rig.queue('adv-utf-off', { maxDataBytes: 60 })
    let want
    try {
      want = (await run(off)).out
    } finally {
      delete process.env.FERROQ_LANE
    }
    expect(nativeOf(off)._lane).toBeNull()
    expect(got).toEqual(want)
    expect(got.filter((r) => 'code' in r).length).toBe(3)
    for (const r of got) {
      if (!('id' in r)) continue
      const a = await rig.admin.hgetall(`bull:${q.name}:${r.id}`)
      const b = await rig.admin.hgetall(`bull:${off.name}:${r.id}`)
      expect({ ...a, timestamp: 0 }).toEqual({ ...b, timestamp: 0 })
      expect(a.name).not.toMatch(/[\ud800-\udfff]/)
    }
  }, 30000)
})
