// Fault-test plumbing: private redis-servers the test may kill and restart on
// the same port, and counting what a run recorded.
import { spawn, ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

// eslint-disable-next-line @typescript-eslint/no-var-requires
const server = require('../setup/redis-server') as {
  startRedis(extraArgs?: string[]): Promise<RedisServer>
  freePort(): Promise<number>
  ping(port: number): Promise<boolean>
}

export interface RedisServer {
  url: string
  port: number
  pid: number
  child: ChildProcess
  stop(): Promise<void>
}

export const startRedis = server.startRedis
export const freePort = server.freePort
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Starts redis-server on a given port (for restarts: same port, same args). */
export async function startRedisOn(port: number, extraArgs: string[] = []): Promise<RedisServer> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...extraArgs], { stdio: 'ignore' })
  const deadline = Date.now() + 10000
  while (!(await server.ping(port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server did not start on port ${port}`)
    await sleep(20)
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    child,
    stop: () => stopChild(child, 'SIGTERM'),
  }
}

/** Sends `signal` to a redis-server and waits until it has exited. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill(signal)
  })
}

/** A fresh temporary directory (removed by `removeDir`). */
export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ferroq-${tag}-`))
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true })
}

/** Ids recorded more than once, and expected ids never recorded. */
export function tally(recorded: string[], expected: string[]): { duplicates: string[]; lost: string[]; distinct: number } {
  const seen = new Map<string, number>()
  for (const id of recorded) seen.set(id, (seen.get(id) || 0) + 1)
  const duplicates = [...seen].filter(([, n]) => n > 1).map(([id]) => id)
  const lost = expected.filter((id) => !seen.has(id))
  return { duplicates, lost, distinct: seen.size }
}

/** Rejects if `p` has not settled within `ms` (a hang is a failure, not a timeout of the whole test). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)
    }),
  ])
}
