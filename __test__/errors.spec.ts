// Bad input gives a JS Error with a stable `code` that names the problem.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { Queue, Worker, errorCodes } from '..'
import { connection, queueName } from './helpers'

const INVALID = 'ERR_FERROQ_INVALID_OPTION'

async function rejectsWith(p: Promise<unknown>, code: string, text: RegExp) {
  const err = await p.then(() => undefined, (e: unknown) => e)
  expect(err).toBeInstanceOf(Error)
  expect((err as { code?: string }).code).toBe(code)
  expect((err as Error).message).toMatch(text)
}

describe('errors', () => {
  let queue: Queue
  beforeAll(() => {
    queue = new Queue(queueName('errors'), { connection: connection() })
  })
  afterAll(() => queue.close())

  test('sync path: bad queue names and processors throw coded errors', () => {
    for (const [make, text] of [
      // BullMQ's words for bad queue names.
      [() => new Queue('', { connection: connection() }), /Queue name must be provided/],
      [() => new Queue('a:b', { connection: connection() }), /Queue name cannot contain :/],
      [() => new Worker('q', 42 as never, { connection: connection() }), /processor/],
      [() => new Worker('q', async () => 1, { connection: connection(), concurrency: 0, autorun: false }), /concurrency/],
      // Options cross as typed objects: a value of the wrong JS type is refused naming its field.
      [() => new Worker('q', async () => 1, { connection: connection(), concurrency: 'many' as never, autorun: false }), /concurrency/],
      [() => new Queue('q', { connection: { host: '127.0.0.1', port: 'sixty' as never } }), /port/],
    ] as const) {
      let err: unknown
      try {
        make()
      } catch (e) {
        err = e
      }
      expect((err as { code?: string }).code).toBe(INVALID)
      expect((err as Error).message).toMatch(text)
    }
  })

  test('async path: bad job options reject with a code naming the field (or with BullMQ\'s text)', async () => {
    await rejectsWith(queue.add('x', {}, { delay: -5 }), INVALID, /opts\.delay/)
    await rejectsWith(queue.add('x', {}, { delay: 'soon' as never }), INVALID, /opts\.delay/)
    await rejectsWith(queue.add('x', {}, { backoff: { type: 7 as never, delay: 1 } }), INVALID, /backoff\.type/)
    // Where BullMQ users match on a message, BullMQ's exact text.
    await rejectsWith(queue.add('x', {}, { jobId: '123' }), INVALID, /^Custom Id cannot be integers$/)
    await rejectsWith(queue.add('x', {}, { jobId: 'a:b' }), INVALID, /^Custom Id cannot contain :$/)
    await rejectsWith(queue.add('x', {}, { priority: 1e9 }), INVALID, /^Priority should be between 0 and 2097151$/)
  })

  test('data that is not JSON-serialisable is refused', async () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    await rejectsWith(queue.add('x', cyclic), INVALID, /data/)
    await rejectsWith(queue.add('x', { n: 10n } as never), INVALID, /data/)
    await rejectsWith(queue.add('x', (() => 1) as never), INVALID, /data.*function/)
    expect(await queue.count()).toBe(0)
  })

  test('an unreachable Redis rejects with a connection error, no crash or hang', async () => {
    const q = new Queue(queueName('down'), { connection: { host: '127.0.0.1', port: 1 } })
    await rejectsWith(q.add('x', {}), 'ERR_FERROQ_CONNECTION', /connection/i)
    await q.close()
  })
})

describe('error codes have one list', () => {
  const ROOT = path.resolve(__dirname, '..')
  const CODE = /ERR_FERROQ_[A-Z][A-Z_]*[A-Z]/g

  /** Product files: index.js, index.d.ts, README.md and src/** (.rs .js .ts .lua), examples' sources. */
  function productFiles(dir: string): string[] {
    const out: string[] = []
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name)
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist') out.push(...productFiles(rel))
      } else if (/\.(rs|js|ts|lua)$/.test(e.name)) out.push(rel)
    }
    return out
  }

  test('errorCodes (the engine\'s ErrorCode list) has every code, each once', () => {
    expect(errorCodes.length).toBeGreaterThan(20)
    expect(new Set(errorCodes).size).toBe(errorCodes.length)
    for (const c of errorCodes) expect(c).toMatch(/^ERR_FERROQ_[A-Z][A-Z_]*[A-Z]$/)
    expect(errorCodes).toEqual(expect.arrayContaining(['ERR_FERROQ_INVALID_OPTION', 'ERR_FERROQ_NOT_INITIALIZED']))
  })

  test('every ERR_FERROQ_ code the tree names (thrown by JS, written in Rust, documented) is in errorCodes', () => {
    const files = ['index.js', 'index.d.ts', 'README.md', ...productFiles('src'), ...productFiles('examples')]
    const unlisted: string[] = []
    let seen = 0
    for (const file of files) {
      for (const m of fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(CODE)) {
        seen++
        if (!errorCodes.includes(m[0])) unlisted.push(`${file}: ${m[0]}`)
      }
    }
    expect(seen).toBeGreaterThan(50)
    expect(unlisted).toEqual([])
  })
})
