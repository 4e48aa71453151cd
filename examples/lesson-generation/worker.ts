// The lesson worker process: `npm run example:worker`. Configured by the
// environment (see src/config.ts); prints one JSON line per event on stdout;
// on SIGTERM or SIGINT it finishes the jobs in hand, then exits.
import { lessonConfigFromEnv, startLessonWorker } from './src'
import { printEvent as say } from '../shared/print-event'

async function main(): Promise<void> {
  const config = lessonConfigFromEnv()
  const worker = startLessonWorker(config)
  worker.on('active', (job) => say('active', { jobId: job.id, attempt: job.attemptsMade + 1 }))
  worker.on('completed', (job) => say('completed', { jobId: job.id }))
  worker.on('failed', (job, err) => say('failed', { jobId: job?.id, attemptsMade: job?.attemptsMade, reason: err.message }))
  worker.on('error', (err) => say('error', { message: err.message }))

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    say('closing', { signal })
    await worker.close()
    say('closed')
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))

  await worker.waitUntilReady()
  say('ready', { queue: config.queueName, concurrency: config.concurrency, message: 'Workers initialized and ready to process jobs' })
}

main().catch((err) => {
  say('error', { message: err instanceof Error ? err.message : String(err) })
  process.exit(1)
})
