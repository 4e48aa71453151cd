// examples/lesson-generation (seed 004): a worker process and a producer process
// talk only through Redis; object progress, custom 5 s / 15 s backoff (scaled
// down here) and idempotent job ids.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { Job } from '../..'
import { LessonQueue, lessonBackoff, lessonJobId, startLessonWorker, KEEP_COMPLETED } from '../../examples/lesson-generation/src'
import type { LessonAuthor, LessonJobStatus, LessonWorker } from '../../examples/lesson-generation/src'
import { collect, connection, queueName } from '../helpers'

const ROOT = resolve(__dirname, '../..')

type Line = { event: string; pid: number; [key: string]: unknown }

/** A child process whose stdout is read as JSON lines. */
interface RunningScript {
  child: ChildProcess
  lines: Line[]
  /** Resolves with the first line (seen or to come) that `match` accepts. */
  waitFor(match: (l: Line) => boolean, ms?: number): Promise<Line>
  exited: Promise<number | null>
}

/** Spawns `npm run <script>` as its command line (no npm or shell in between, so the pid is node's). */
function runScript(script: string, args: string[], env: Record<string, string>): RunningScript {
  const command: string = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')).scripts[script]
  const [bin, ...rest] = command.split(' ')
  expect(bin).toBe('node')
  const child = spawn(process.execPath, [...rest, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: Line[] = []
  const waiters: { match: (l: Line) => boolean; resolve: (l: Line) => void }[] = []
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const line = JSON.parse(text) as Line
    lines.push(line)
    for (const w of waiters.filter((w) => w.match(line))) {
      waiters.splice(waiters.indexOf(w), 1)
      w.resolve(line)
    }
  })
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
  return {
    child,
    lines,
    exited,
    waitFor(match, ms = 15000) {
      const seen = lines.find(match)
      if (seen) return Promise.resolve(seen)
      return new Promise((resolveLine, reject) => {
        const t = setTimeout(() => reject(new Error(`${script}: no matching line in ${ms} ms; stdout ${JSON.stringify(lines)}; stderr ${stderr}`)), ms)
        waiters.push({ match, resolve: (l) => (clearTimeout(t), resolveLine(l)) })
      })
    },
  }
}

describe('examples/lesson-generation', () => {
  const running: RunningScript[] = []
  let worker: LessonWorker | undefined
  let lessons: LessonQueue | undefined

  afterEach(async () => {
    for (const r of running.splice(0)) {
      if (r.child.exitCode === null && r.child.signalCode === null) {
        process.kill(r.child.pid!, 'SIGKILL')
        await r.exited
      }
    }
    await worker?.close()
    await lessons?.close()
    worker = undefined
    lessons = undefined
  })

  test('a worker process generates the lesson a producer process enqueued and polls to completion', async () => {
    const name = queueName('lesson-e2e')
    const env = { REDIS_URL: connection().url, LESSON_QUEUE_NAME: name, LESSON_STEP_DELAY_MS: '60' }
    const workerProc = runScript('example:worker', [], env)
    running.push(workerProc)
    const ready = await workerProc.waitFor((l) => l.event === 'ready')
    expect(ready).toMatchObject({ queue: name, concurrency: 2, message: 'Workers initialized and ready to process jobs' })

    const producer = runScript('example:producer', ['--user', '42', '--topic', 'JavaScript Closures', '--poll-ms', '15'], env)
    running.push(producer)
    const { jobId } = await producer.waitFor((l) => l.event === 'enqueued')
    expect(jobId).toBe('lesson-42-javascript-closures')
    const finished = await producer.waitFor((l) => l.event === 'finished')
    expect(await producer.exited).toBe(0)

    const status = finished.status as LessonJobStatus
    expect(status).toMatchObject({
      id: jobId,
      state: 'completed',
      progress: { step: 'done', percentage: 100, message: 'Lesson ready: 5 sections' },
      failedReason: null,
      attemptsMade: 1,
    })
    expect(status.result!.lessonId).toBe(jobId)
    expect(status.result!.title).toBe('JavaScript Closures')
    expect(status.result!.sections.map((s) => s.title)).toEqual(['Introduction', 'Core Idea', 'Understanding Scope', 'Worked Example', 'Common Pitfalls'])
    expect(status.result!.sections[2].content).toMatchObject({ type: 'doc', content: [{ type: 'heading' }, { type: 'paragraph' }] })

    // While it ran, the producer saw object progress, section by section, never going back.
    const seen = producer.lines.filter((l) => l.event === 'status').map((l) => (l.status as LessonJobStatus).progress)
    const percentages = seen.filter((p) => p !== null).map((p) => p!.percentage)
    expect(percentages).toEqual([...percentages].sort((a, b) => a - b))
    expect(seen).toContainEqual({
      step: 'generating_sections',
      percentage: expect.any(Number),
      message: expect.stringMatching(/^Generating section \d\/5\.\.\.$/),
      currentSection: { index: expect.any(Number), total: 5, title: expect.any(String) },
    })

    // The job ran in the worker process, not in the producer or here.
    const done = await workerProc.waitFor((l) => l.event === 'completed' && l.jobId === jobId)
    expect(new Set([done.pid, finished.pid, process.pid]).size).toBe(3)
    lessons = new LessonQueue({ queueName: name, connection: connection() })
    expect(await lessons.getLessonGenerationQueueMetrics()).toEqual({ counts: { waiting: 0, active: 0, completed: 1, failed: 0, delayed: 0 } })
    expect((await lessons.queue.getJob(jobId as string))!.opts.removeOnComplete).toEqual({ age: 24 * 3600, count: 1000 })

    // SIGTERM: the worker closes cleanly and the process ends by itself.
    process.kill(workerProc.child.pid!, 'SIGTERM')
    expect(await workerProc.exited).toBe(0)
    expect(workerProc.lines.map((l) => l.event).slice(-2)).toEqual(['closing', 'closed'])
  })

  test('a failing generation is retried after 5 s then 15 s (scaled to 50 ms, 150 ms) and ends failed after 3 attempts', async () => {
    expect([1, 2].map((n) => lessonBackoff()(n))).toEqual([5000, 15000])
    const name = queueName('lesson-fail')
    const startedAt: number[] = []
    const unavailable: LessonAuthor = {
      async outline() {
        startedAt.push(Date.now())
        throw new Error('AI provider unavailable (503)')
      },
      async writeSection() {
        throw new Error('unreachable')
      },
    }
    lessons = new LessonQueue({ queueName: name, connection: connection() })
    worker = startLessonWorker({ queueName: name, connection: connection(), author: unavailable, backoffScale: 0.01 })
    const failures = collect<[Job, Error]>(worker, 'failed', 3)
    const id = await lessons.enqueueLessonGeneration({ userId: 9, topic: 'Rust lifetimes', difficulty: 'advanced', triggerSource: 'chat' })
    expect((await failures).map(([job]) => job.attemptsMade)).toEqual([1, 2, 3])

    const status = await lessons.getLessonGenerationJobStatus(id)
    expect(status).toMatchObject({ state: 'failed', failedReason: 'AI provider unavailable (503)', attemptsMade: 3, result: null })
    expect(status.progress).toEqual({ step: 'outlining', percentage: 5, message: 'Outlining "Rust lifetimes"...' })
    // Each retry waited at least its backoff (lower bounds only: no timing of speed here).
    expect(startedAt).toHaveLength(3)
    expect(startedAt[1] - startedAt[0]).toBeGreaterThanOrEqual(50)
    expect(startedAt[2] - startedAt[1]).toBeGreaterThanOrEqual(150)
    const { logs } = await lessons.queue.getJobLogs(id)
    expect(logs).toEqual([1, 2, 3].map((n) => `attempt ${n} failed for user 9, topic "Rust lifetimes" (chat): AI provider unavailable (503)`))
    expect(await lessons.getLessonGenerationQueueMetrics()).toEqual({ counts: { waiting: 0, active: 0, completed: 0, failed: 1, delayed: 0 } })
  })

  test('enqueueing the same request twice yields one job and one id', async () => {
    const name = queueName('lesson-idem')
    lessons = new LessonQueue({ queueName: name, connection: connection() })
    const request = { userId: 123, topic: 'JavaScript Closures', difficulty: 'standard' as const, triggerSource: 'chat', context: 'User asked: "Explain closures in detail"' }
    const first = await lessons.enqueueLessonGeneration(request)
    const second = await lessons.enqueueLessonGeneration({ ...request, context: 'clicked twice' })
    expect(first).toBe('lesson-123-javascript-closures')
    expect(second).toBe(first)
    expect(lessonJobId({ userId: 123, topic: '  JavaScript closures!! ' })).toBe(first)
    expect(await lessons.getLessonGenerationQueueMetrics()).toEqual({ counts: { waiting: 1, active: 0, completed: 0, failed: 0, delayed: 0 } })
    // The first request's data is kept; the duplicate changed nothing.
    expect((await lessons.queue.getJob(first))!.data.context).toBe(request.context)
    expect(await lessons.getLessonGenerationJobStatus(first)).toEqual({
      id: first, state: 'waiting', progress: null, result: null, failedReason: null, attemptsMade: 0,
    })
    expect((await lessons.getLessonGenerationJobStatus('lesson-0-nothing')).state).toBe('unknown')
    expect(KEEP_COMPLETED).toEqual({ age: 86400, count: 1000 })
  })
})
