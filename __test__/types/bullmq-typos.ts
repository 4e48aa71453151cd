// Misspelt options, each of which bullmq 6.7.0's types refuse. types.spec.ts
// compiles this file against bullmq and against ferroq and expects an error on
// every line marked `// typo` (and on no other line). Never run.
import { FlowProducer, Job, Queue, QueueEvents, QueueEventsProducer, Worker } from 'bullmq'
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

export async function moreTypos(queue: Queue, worker: Worker, job: Job): Promise<void> {
  const flows = new FlowProducer({ prefx: 'bull' }) // typo
  await flows.add({ name: 'p', queueName: 'q', opts: { atempts: 2 } }) // typo
  await flows.add({ name: 'p', queueName: 'q', children: [{ name: 'c', queueName: 'q', opts: { failParentOnFail: true } }] }) // typo
  await flows.getFlow({ queueName: 'q', id: 'x', dept: 1 }) // typo
  await queue.upsertJobScheduler('s', { evry: 1000 }) // typo
  await queue.upsertJobScheduler('s', { every: 1000 }, { opts: { atempts: 2 } }) // typo
  new QueueEventsProducer('q', { prefx: 'bull' }) // typo
  await worker.getNextJob('token', { blok: false }) // typo
  await job.changePriority({ priorty: 1 }) // typo
  await job.retry('failed', { resetAttempts: true }) // typo
  await job.getDependencies({ proccessed: { count: 1 } }) // typo
  await queue.retryJobs({ cout: 10 }) // typo
  await queue.obliterate({ forse: true }) // typo
  await queue.remove('id', { removeChildrens: true }) // typo
  void flows
}
