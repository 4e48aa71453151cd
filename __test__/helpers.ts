// Shared test helpers: connection, unique queue names, waiting for events.
import type { EventEmitter } from 'node:events'

let n = 0

/** Which store the suite runs on: `FERROQ_TEST_STORE=memory` (the embedded store) or Redis. */
export const store: 'memory' | 'redis' = process.env.FERROQ_TEST_STORE === 'memory' ? 'memory' : 'redis'

// One embedded store per spec file (this module is loaded once per file), as
// one Redis server is shared by a file's queues, workers and events.
const memoryUrl = `memory://jest-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`

/** Connection options for the test store: the server global setup started, or memory://. */
export function connection(): { url: string } {
  if (store === 'memory') return { url: memoryUrl }
  const url = process.env.REDIS_URL
  if (!url) throw new Error('REDIS_URL not set: run through jest (global setup starts redis-server)')
  return { url }
}

/**
 * `test` for a case that needs a real Redis: another client (bullmq, ioredis)
 * or data shared with another process. Skipped on memory:// (`npm test` lists it).
 */
export const testRedisOnly: typeof test = store === 'redis' ? test : test.skip

/** `describe` for a group of cases that need a real Redis (see `testRedisOnly`). */
export const describeRedisOnly: typeof describe = store === 'redis' ? describe : describe.skip

/** A queue name no other test uses. */
export function queueName(tag: string): string {
  n += 1
  return `jest-${tag}-${process.pid}-${Date.now().toString(36)}-${n}`
}

/** Resolves with the args of the next `event` on `emitter` (rejects after `ms`). */
export function next<T extends unknown[] = unknown[]>(emitter: EventEmitter, event: string, ms = 10000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no '${event}' within ${ms} ms`)), ms)
    emitter.once(event, (...args: unknown[]) => {
      clearTimeout(t)
      resolve(args as T)
    })
  })
}

/** Resolves once `count` `event`s were seen; returns their args. */
export function collect<T extends unknown[] = unknown[]>(emitter: EventEmitter, event: string, count: number, ms = 15000): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const seen: T[] = []
    const t = setTimeout(() => reject(new Error(`only ${seen.length}/${count} '${event}' within ${ms} ms`)), ms)
    const on = (...args: unknown[]) => {
      seen.push(args as T)
      if (seen.length >= count) {
        clearTimeout(t)
        emitter.off(event, on)
        resolve(seen)
      }
    }
    emitter.on(event, on)
  })
}

/** Polls `f` until it returns a truthy value (10 s). */
export async function eventually<T>(f: () => Promise<T> | T, ms = 10000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await f()
    if (v) return v
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Something a test opens and must close (a queue, worker, QueueEvents, producer, ...). */
export type Closable = { close: () => Promise<unknown> }

/**
 * Registers an `afterEach` (in the enclosing describe, or the file) that closes, newest first,
 * everything the returned `track` was given during the test; `track` hands its argument back.
 */
export function closeAfterEach(): <T extends Closable>(c: T) => T {
  let open: Closable[] = []
  afterEach(async () => {
    for (const c of open.reverse()) await c.close()
    open = []
  })
  return <T extends Closable>(c: T): T => {
    open.push(c)
    return c
  }
}
