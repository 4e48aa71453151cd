// The rest of BullMQ's documented surface, as an app uses it: manual
// processing (BullMQ's "manual processing" and "process step jobs" guides),
// job cancellation, flows (FlowProducer, parent/child reads), job schedulers,
// custom events through QueueEventsProducer, the queue's maintenance and
// getters, Job's class methods and stored form, and the exported constants
// and key helpers. types.spec.ts compiles it unchanged against bullmq 6.7.0
// and against ferroq (`bullmq` mapped to ferroq) with --strict and library
// checks on. Only type-checked, never run.
import {
  DELAYED_ERROR,
  DelayedError,
  FlowProducer,
  Job,
  PRIORITY_LIMIT,
  Queue,
  QueueEvents,
  QueueEventsProducer,
  QueueKeys,
  RATE_LIMIT_ERROR,
  RateLimitError,
  UNRECOVERABLE_ERROR,
  UnrecoverableError,
  WAITING_CHILDREN_ERROR,
  WAITING_ERROR,
  WaitingChildrenError,
  WaitingError,
  Worker,
} from 'bullmq'
import type {
  FlowJob,
  FlowRootLeafJob,
  FlowRootParentJob,
  MoveToWaitingChildrenOpts,
  RedisKeyPrefixOptions,
  FlowProducerOptions,
  JobJson,
  JobNode,
  JobSchedulerJson,
  KeysMap,
  NodeOpts,
  ParentOptions,
  QueueEventsListener,
  QueueEventsProducerOptions,
  QueueGetters,
  QueueListener,
  QueueMeta,
  RepeatOptions,
  WorkerListener,
} from 'bullmq'

const connection = { host: 'localhost', port: 6379 }

// --- Manual processing -------------------------------------------------------------

export async function manualProcessing(): Promise<void> {
  const worker = new Worker('my-queue', null, { connection, lockDuration: 60000 })
  const token = 'my-token'
  await worker.startStalledCheckTimer()
  const job = (await worker.getNextJob(token)) as Job
  const blocking = await worker.getNextJob(token, { block: false })
  void blocking
  const extended: number = await job.extendLock(token, 30000)
  const lost: string[] = await worker.extendJobLocks([job.id!], [token], 30000)
  void [extended, lost]
  if (job.data.ok) {
    await job.moveToCompleted('some return value', token, false)
  } else {
    await job.moveToFailed(new Error('my error message'), token, false)
  }
  // Taking the next job while completing this one.
  const next = await job.moveToCompleted({ done: true }, token, true)
  if (Array.isArray(next) && next.length) {
    const [jobData, jobId] = next as [JobJson, string]
    const nextJob = Job.fromJSON(worker as unknown as Queue, jobData, jobId)
    void nextJob
  }
  await worker.delay(100)
  await worker.close()
}

// --- Processing step jobs -------------------------------------------------------------

enum Step {
  Initial,
  Second,
  Finish,
}

export function stepJobs(queueName: string): Worker {
  const worker = new Worker(
    queueName,
    async (job: Job, token?: string) => {
      let step = job.data.step
      while (step !== Step.Finish) {
        switch (step) {
          case Step.Initial: {
            await job.updateData({ step: Step.Second })
            step = Step.Second
            break
          }
          case Step.Second: {
            await job.moveToDelayed(Date.now() + 200, token)
            await job.updateData({ step: Step.Finish })
            throw new DelayedError()
          }
          default:
            throw new Error('invalid step')
        }
      }
      if (job.data.wait) {
        const rateLimited: number = await job.moveToWait(token)
        void rateLimited
        throw new WaitingError()
      }
      if (job.data.children) {
        const waitOpts: MoveToWaitingChildrenOpts = { child: { id: job.data.child, queue: 'bull:steps' } }
        const shouldWait = await job.moveToWaitingChildren(token!, job.data.child ? waitOpts : undefined)
        if (shouldWait) throw new WaitingChildrenError()
      }
      if (job.data.limited) {
        await worker.rateLimit(1000)
        throw new RateLimitError()
      }
      return Step.Finish
    },
    { connection },
  )
  return worker
}

// --- Cancellation and run-time settings -----------------------------------------------------

export async function cancellation(queueName: string): Promise<void> {
  const worker = new Worker(
    queueName,
    async (job, token, signal) => {
      return new Promise<string>((resolve, reject) => {
        signal?.addEventListener('abort', () => reject(new Error(String(signal.reason))))
        setTimeout(() => resolve('done'), 1000)
      })
    },
    { connection, concurrency: 2, maxStartedAttempts: 3, maximumRateLimitDelay: 30000, runRetryDelay: 15000 },
  )
  worker.concurrency = 10
  const concurrency: number = worker.concurrency
  const id: string = worker.id
  void [concurrency, id]
  worker.on('ready', () => {})
  worker.on('active', (job: Job, prev: string) => {})
  worker.on('stalled', (jobId: string, prev: string) => {})
  worker.on('lockRenewalFailed', (jobIds: string[]) => {})
  worker.on('closing', (msg: string) => {})
  worker.on('closed', () => {})
  const listener: WorkerListener['completed'] = (job, result, prev) => {}
  worker.off('completed', listener)
  await worker.waitUntilReady()
  await worker.pause(true)
  await worker.resume()
  const running: boolean = worker.isRunning() && !worker.isPaused()
  const cancelled: boolean = worker.cancelJob('some-id', 'no longer needed')
  worker.cancelAllJobs('shutting down')
  void [running, cancelled]
  await worker.close(true)
}

// --- Flows ------------------------------------------------------------------------------

export async function flows(): Promise<void> {
  const flowProducer = new FlowProducer({ connection })
  const flow: FlowJob = {
    name: 'renovate-interior',
    queueName: 'renovate',
    data: { house: 1 },
    children: [
      { name: 'paint', data: { place: 'ceiling' }, queueName: 'steps' },
      { name: 'paint', data: { place: 'walls' }, queueName: 'steps', opts: { failParentOnFailure: true } },
      {
        name: 'fix',
        data: { place: 'floor' },
        queueName: 'steps',
        opts: { ignoreDependencyOnFailure: true },
        children: [{ name: 'buy', data: { what: 'tiles' }, queueName: 'shopping' }],
      },
    ],
  }
  const tree: JobNode = await flowProducer.add(flow, { queuesOptions: { steps: { defaultJobOptions: { removeOnComplete: true } } } })
  const parentId: string | undefined = tree.job.id
  const children: JobNode[] = tree.children ?? []
  void children
  const trees = await flowProducer.addBulk([flow, { name: 'lone', queueName: 'renovate', data: {} }])
  void trees
  const nodeOpts: NodeOpts = { queueName: 'renovate', id: parentId!, depth: 2, maxChildren: 10 }
  const read = await flowProducer.getFlow(nodeOpts)
  const parentJob: Job = read.job
  const values = await parentJob.getChildrenValues<{ ok: boolean }>()
  const okCount = Object.values(values).filter((v) => v.ok).length
  const failures: { [jobKey: string]: string } = await parentJob.getIgnoredChildrenFailures()
  const deps = await parentJob.getDependencies({ processed: { count: 10 }, unprocessed: { cursor: 0, count: 10 } })
  const counts = await parentJob.getDependenciesCount({ processed: true, unprocessed: true })
  void [okCount, failures, deps.processed, deps.unprocessed, counts.processed, counts.unprocessed]
  await parentJob.removeUnprocessedChildren()
  const child = (await flowProducer.getFlow({ queueName: 'steps', id: 'child-id' })).job
  const detached: boolean = await child.removeChildDependency()
  void detached

  // A child added later through the queue, and the parent's worker waiting for it.
  const leaf: FlowRootLeafJob = { name: 'lone', queueName: 'renovate' }
  const root: FlowRootParentJob = { name: 'root', queueName: 'renovate', children: [{ name: 'c', queueName: 'steps' }] }
  const prefixed: RedisKeyPrefixOptions = { prefix: 'bull' }
  void [leaf, root, prefixed]
  const parent: ParentOptions = { id: parentId!, queue: 'bull:renovate' }
  const queue = new Queue('steps', { connection })
  await queue.add('extra', { place: 'door' }, { parent })
  flowProducer.on('error', (err: Error) => {})
  const options: FlowProducerOptions = { connection, prefix: 'bull' }
  void options
  await flowProducer.close()
}

// --- Job schedulers ------------------------------------------------------------------------

export async function schedulers(): Promise<void> {
  const queue = new Queue('Paint', { connection })
  const first = await queue.upsertJobScheduler('repeat-every-10s', { every: 10000 })
  const cron: RepeatOptions = { pattern: '0 15 3 * * *', tz: 'Europe/Paris', limit: 100 }
  await queue.upsertJobScheduler('repeat-at-3-15', cron, {
    name: 'cron-job',
    data: { jobData: 'data' },
    opts: { backoff: 3, attempts: 5, removeOnFail: 1000 },
  })
  await queue.upsertJobScheduler('starts-later', { every: 60000, startDate: new Date(Date.now() + 3600000), immediately: false })
  const scheduler: JobSchedulerJson | undefined = await queue.getJobScheduler('repeat-every-10s')
  const next: number | undefined = scheduler?.next
  const all: JobSchedulerJson[] = await queue.getJobSchedulers(0, 9, true)
  const count: number = await queue.getJobSchedulersCount()
  const removed: boolean = await queue.removeJobScheduler('repeat-every-10s')
  void [first?.id, next, all, count, removed]
}

// --- Custom events -----------------------------------------------------------------------------

interface CustomListener extends QueueEventsListener {
  'example-event': (args: { custom: string }, id: string) => void
}

export async function customEvents(): Promise<void> {
  const producerOptions: QueueEventsProducerOptions = { connection, prefix: 'bull' }
  const producer = new QueueEventsProducer('Paint', producerOptions)
  const queueEvents = new QueueEvents('Paint', { connection, autorun: false })
  queueEvents.on<CustomListener>('example-event', async ({ custom }: { custom: string }) => {
    console.log(custom)
  })
  queueEvents.on('added', ({ jobId, name }) => {})
  queueEvents.on('delayed', ({ jobId, delay }) => {})
  queueEvents.on('removed', ({ jobId, prev }) => {})
  queueEvents.on('deduplicated', ({ jobId, deduplicationId, deduplicatedJobId }) => {})
  queueEvents.on('retries-exhausted', ({ jobId, attemptsMade }) => {})
  queueEvents.on('waiting-children', ({ jobId }) => {})
  queueEvents.on('stalled', ({ jobId }) => {})
  queueEvents.on('drained', (id: string) => {})
  void queueEvents.run()
  await queueEvents.waitUntilReady()
  await producer.publishEvent({ eventName: 'example-event', custom: 'value' })
  await producer.publishEvent({ eventName: 'example-event', custom: 'trimmed' }, 100)
  await Promise.all([producer.close(), queueEvents.close()])
}

// --- Queue maintenance and getters ------------------------------------------------------------

export async function maintenance(): Promise<void> {
  const queue = new Queue<{ color: string }, string, 'paint'>('Paint', { connection, streams: { events: { maxLen: 100 } } })
  const readOnly = new Queue('Paint', { connection, skipMetasUpdate: true })
  void readOnly
  queue.on('waiting', (job) => {
    const color: string = job.data.color
    void color
  })
  queue.on('cleaned', (jobs: string[], type: string) => {})
  queue.on('removed', (jobId: string) => {})
  queue.on('progress', (jobId, progress) => {})
  const onError: QueueListener['error'] = (err) => {}
  queue.on('error', onError)

  const job = await queue.add('paint', { color: 'red' }, { priority: PRIORITY_LIMIT })
  await queue.updateJobProgress(job.id!, 50)
  const lines: number = await queue.addJobLog(job.id!, 'a line', 10)
  const { logs, count } = await queue.getJobLogs(job.id!, 0, -1, true)
  void [lines, logs, count]
  await job.clearLogs(5)
  const freed: boolean = await job.removeDeduplicationKey()
  const states = [await job.isCompleted(), await job.isFailed(), await job.isActive(), await job.isWaiting(), await job.isDelayed()]
  void [freed, states]

  const meta: QueueMeta = await queue.getMeta()
  const paused: boolean | undefined = meta.paused
  const version: string | null = await queue.getVersion()
  const perPriority = await queue.getCountsPerPriority([0, 1, 10])
  const zero: number = perPriority['0']
  const ids: string[] = await queue.getRanges(['wait', 'delayed'], 0, 10, true)
  const maxed: boolean = await queue.isMaxed()
  const ttl: number = await queue.getRateLimitTtl()
  const listeners = await queue.getQueueEvents()
  const workers = await queue.getWorkers()
  const workersCount: number = await queue.getWorkersCount()
  void [paused, version, zero, ids, maxed, ttl, listeners, workers, workersCount]

  await queue.setGlobalConcurrency(4)
  const globalConcurrency: number | null = await queue.getGlobalConcurrency()
  await queue.setGlobalRateLimit(10, 1000)
  const limit = await queue.getGlobalRateLimit()
  await queue.removeGlobalConcurrency()
  await queue.removeGlobalRateLimit()
  await queue.rateLimit(1000)
  const limitRemoved: number = await queue.removeRateLimitKey()
  const orphans: number = await queue.removeOrphanedJobs(1000, 0)
  const dedupJob: string | null = await queue.getDeduplicationJobId('dedup-id')
  const dedupRemoved: number = await queue.removeDeduplicationKey('dedup-id')
  void [globalConcurrency, limit?.max, limitRemoved, orphans, dedupJob, dedupRemoved]

  const cleaned: string[] = await queue.clean(1000, 100, 'waiting')
  await queue.retryJobs({ count: 100, state: 'failed' })
  await queue.promoteJobs({ count: 100 })
  await queue.drain(true)
  await queue.obliterate({ force: true, count: 1000 })
  const key: string = queue.toKey('wait')
  const keys: KeysMap = queue.keys
  const qualified: string = queue.qualifiedName
  void [cleaned, key, keys.meta, qualified]
  await queue.close()
}

/** A function written against the getters alone (a Queue passes for it). */
export async function waitingOf(getters: QueueGetters<Job>): Promise<number> {
  return (await getters.getWaiting(0, -1)).length + (await getters.getWaitingCount())
}

// --- Jobs made and read through the Job class -----------------------------------------------

export async function jobClass(): Promise<void> {
  const queue = new Queue('Paint', { connection })
  const jobs = await Job.createBulk(queue, [
    { name: 'a', data: { n: 1 } },
    { name: 'b', data: { n: 2 }, opts: { delay: 1000 } },
  ])
  const found = await Job.fromId(queue, jobs[0].id!)
  const lines: number = await Job.addJobLog(queue, jobs[0].id!, 'from the class')
  const json = jobs[1].toJSON()
  const name: string = json.name
  const stored: JobJson = jobs[1].asJSON()
  const decoded = Job.optsFromJSON(JSON.stringify(stored.opts))
  await jobs[1].changeDelay(5000)
  await jobs[1].changePriority({ priority: 10, lifo: false })
  await jobs[1].promote()
  await jobs[1].retry('failed', { resetAttemptsMade: true })
  await jobs[1].remove({ removeChildren: true })
  void [found, lines, name, decoded]
}

// --- Constants and key helpers ------------------------------------------------------------------

export function constants(): string[] {
  const keys = new QueueKeys('bull')
  const all: KeysMap = keys.getKeys('Paint')
  const wait: string = keys.toKey('Paint', 'wait')
  const qualified: string = keys.getQueueQualifiedName('Paint')
  const highest: number = PRIORITY_LIMIT
  void [all, highest]
  const err = new UnrecoverableError('no retry')
  const isUnrecoverable = err instanceof Error
  void isUnrecoverable
  return [wait, qualified, DELAYED_ERROR, RATE_LIMIT_ERROR, UNRECOVERABLE_ERROR, WAITING_CHILDREN_ERROR, WAITING_ERROR]
}
