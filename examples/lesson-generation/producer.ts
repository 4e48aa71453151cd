// The producer process: `npm run example:producer -- --user 123 --topic "JavaScript Closures"`.
// Enqueues one lesson, polls its status, prints one JSON line per change and a
// final `finished` line; exits 0 when the lesson completed, 1 when it failed,
// 2 on timeout.
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { closeLessonQueue, enqueueLessonGeneration, getLessonGenerationJobStatus } from './src'
import type { LessonDifficulty } from './src'
import { printEvent as say } from '../shared/print-event'

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      user: { type: 'string', default: '123' },
      topic: { type: 'string', default: 'JavaScript Closures' },
      difficulty: { type: 'string', default: 'standard' },
      'poll-ms': { type: 'string', default: '250' },
      'timeout-ms': { type: 'string', default: '120000' },
    },
  })
  const userId = /^\d+$/.test(values.user) ? Number(values.user) : values.user
  const jobId = await enqueueLessonGeneration({
    userId,
    topic: values.topic,
    difficulty: values.difficulty as LessonDifficulty,
    triggerSource: 'cli',
    context: `producer process ${process.pid}`,
  })
  say('enqueued', { jobId })

  const deadline = Date.now() + Number(values['timeout-ms'])
  let last = ''
  for (;;) {
    const status = await getLessonGenerationJobStatus(jobId)
    const seen = JSON.stringify(status)
    if (seen !== last) say('status', { status })
    last = seen
    if (status.state === 'completed' || status.state === 'failed') {
      say('finished', { status })
      return status.state === 'completed' ? 0 : 1
    }
    if (Date.now() > deadline) {
      say('timeout', { status })
      return 2
    }
    await sleep(Number(values['poll-ms']))
  }
}

main()
  .then(async (code) => {
    await closeLessonQueue()
    process.exitCode = code
  })
  .catch((err) => {
    say('error', { message: err instanceof Error ? err.message : String(err) })
    process.exit(1)
  })
