// Misspelt options, each of which bullmq 6.7.0's types refuse. types.spec.ts
// compiles this file against bullmq and against ferroq and expects an error on
// every line marked `// typo` (and on no other line). Never run.
import { Queue, Worker, QueueEvents } from 'bullmq'
import type { JobsOptions, WorkerOptions } from 'bullmq'

export async function typos(): Promise<void> {
  const queue = new Queue('q', { defaultJobOptions: { attempt: 3 } }) // typo
  await queue.add('a', {}, { delay: 1, priorty: 2 }) // typo
  await queue.add('a', {}, { backoff: { type: 'fixed', dealy: 100 } }) // typo
  await queue.addBulk([{ name: 'b', data: {}, opts: { removeOnCompleted: true } }]) // typo
  const opts: JobsOptions = { jobID: 'x' } // typo
  const w: WorkerOptions = { concurency: 5 } // typo
  new Worker('q', async () => 1, { lockDurration: 1000 }) // typo
  new Worker('q', async () => 1, { limiter: { max: 1, durration: 1000 } }) // typo
  new QueueEvents('q', { autoRun: false }) // typo
  new Queue('q', { prefx: 'bull' }) // typo
  void [opts, w]
}
