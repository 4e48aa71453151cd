// An app written against BullMQ's documented surface: the snippets of BullMQ's
// guide (docs/gitbook: connections, queues, workers, events, retrying failing
// jobs, returning job data, sandboxed processors, metrics, Prometheus,
// telemetry), written out as one TypeScript file. types.spec.ts compiles it
// unchanged against bullmq 6.7.0 and against ferroq (the module name `bullmq`
// mapped to ferroq, as the npm alias does) with --strict and library checks on.
// It is only type-checked, never run. bullmq 6.7.0's types require a
// `connection` where several snippets leave it out; it is added there, and the
// progress listeners take JobProgress (the snippets' `number | object` does not
// compile against bullmq 6.7.0 under --strict).
import * as http from 'node:http'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import IORedis from 'ioredis'
import { BullMQOtel } from 'bullmq-otel'
import { DelayedError, Job, MetricsTime, Queue, QueueEvents, RedisQueueBackend, UnrecoverableError, Worker } from 'bullmq'
import type {
  BackoffOptions,
  BulkJobOptions,
  ConnectionOptions,
  DefaultJobOptions,
  FinishedStatus,
  JobProgress,
  JobsOptions,
  JobState,
  KeepJobs,
  Metrics,
  MinimalJob,
  Processor,
  QueueEventsListener,
  QueueOptions,
  SandboxedJob,
  WorkerOptions,
} from 'bullmq'

declare function doSomeAsyncProcessing(): Promise<{ total: number }>
declare function doSomeProcessing(): Promise<string>

const connection = { host: 'localhost', port: 6379 }

// --- Connections -------------------------------------------------------------

export function connections(): void {
  const myQueue = new Queue('myqueue', {
    connection: {
      host: 'myredis.taskforce.run',
      port: 32856,
    },
  })
  const myWorker = new Worker('myqueue', async (job) => {}, {
    connection: {
      host: 'myredis.taskforce.run',
      port: 32856,
    },
  })

  // Reusing an ioredis connection in producers and consumers.
  const connection = new IORedis()
  const myFirstQueue = new Queue('myFirstQueue', { connection })
  const mySecondQueue = new Queue('mySecondQueue', { connection })
  const workerConnection = new IORedis({ maxRetriesPerRequest: null })
  const myFirstWorker = new Worker('myFirstWorker', async (job) => {}, { connection: workerConnection })
  const mySecondWorker = new Worker('mySecondWorker', async (job) => {}, { connection: workerConnection })

  // The options object most apps write.
  const options: ConnectionOptions = { host: 'localhost', port: 6379, maxRetriesPerRequest: null }
  const fromOptions = new Worker('w', async () => 'done', { connection: options, concurrency: 5 })
  void [myQueue, myWorker, myFirstQueue, mySecondQueue, myFirstWorker, mySecondWorker, fromOptions]
}

// --- Queues and jobs -----------------------------------------------------------

interface MyDataType {
  foo: string
}
interface MyResultType {
  bar: string
}

export async function queues(): Promise<void> {
  const queue = new Queue('Cars', { connection })
  await queue.add('paint', { color: 'red' })
  await queue.add('paint', { color: 'blue' }, { delay: 5000 })

  const typed = new Queue<MyDataType, MyResultType, 'blue' | 'brown'>('myQueue', { connection })
  const job = await typed.add('blue', { foo: 'x' }, { priority: 1, attempts: 3, removeOnComplete: true, removeOnFail: { count: 100 } })
  const result: MyResultType = job.returnvalue
  const reason: string = job.failedReason
  void [result, reason]

  const jobs = await typed.addBulk([
    { name: 'brown', data: { foo: 'a' } },
    { name: 'blue', data: { foo: 'b' }, opts: { delay: 1000, lifo: true } },
  ])
  const ids: (string | undefined)[] = jobs.map((j) => j.id)
  void ids

  // A queue typed by its job type.
  const byJob = new Queue<Job<MyDataType, MyResultType, 'paint'>>('byJob', { connection })
  const painted = await byJob.add('paint', { foo: 'z' })
  const foo: string = painted.data.foo
  void foo

  // Jobs made through the Job class, and their stored form.
  const created = await Job.create(queue, 'paint', { color: 'green' }, { priority: 5 })
  const stored = created.asJSON()
  const again: Job = Job.fromJSON(queue, stored, stored.id)
  void again
  const counts = await queue.getJobCounts('wait', 'completed', 'failed')
  const waiting: number = counts.wait
  const state: JobState | 'unknown' = await job.getState()
  void [waiting, state]
  await queue.trimEvents(10)
  await queue.clean(60000, 1000, 'completed')
  await queue.pause()
  await queue.resume()
  await queue.close()
}

export function jobOptions(): void {
  const keep: KeepJobs = { age: 3600, count: 1000 }
  const backoff: BackoffOptions = { type: 'exponential', delay: 1000, jitter: 0.5 }
  const defaults: DefaultJobOptions = { attempts: 3, backoff, removeOnComplete: keep }
  const opts: JobsOptions = { ...defaults, jobId: 'my-id', deduplication: { id: 'dedup', ttl: 5000 } }
  const bulk: BulkJobOptions = { priority: 10 }
  const queueOptions: QueueOptions = { connection: { host: 'localhost' }, prefix: 'bull', defaultJobOptions: defaults }
  void [opts, bulk, queueOptions]
}

// --- Retrying failing jobs -------------------------------------------------------

export async function retrying(): Promise<void> {
  const queue = new Queue('foo', {
    connection,
    defaultJobOptions: {
      attempts: 3,
      backoff: {
        type: 'exponential',
        delay: 1000,
      },
    },
  })
  await queue.add('test-retry', { foo: 'bar' }, { attempts: 3, backoff: { type: 'fixed', delay: 1000 } })
  await queue.add('test-retry', { foo: 'bar' }, { attempts: 8, backoff: { type: 'fixed', delay: 1000, jitter: 0.5 } })
  await queue.add('test-retry', { foo: 'bar' }, { attempts: 3, backoff: { type: 'exponential', delay: 1000 } })

  const worker = new Worker('foo', async (job) => doSomeProcessing(), {
    connection,
    settings: {
      backoffStrategy: (attemptsMade: number) => {
        return attemptsMade * 1000
      },
    },
  })
  const withJob = new Worker('foo', async () => doSomeProcessing(), {
    connection,
    settings: {
      backoffStrategy: (attemptsMade: number, type?: string, err?: Error, job?: MinimalJob) => {
        if (err instanceof UnrecoverableError) return -1
        return type === 'linear' ? attemptsMade * (job?.opts.attempts ?? 1) : 0
      },
    },
  })
  void [worker, withJob]
}

// --- Workers -------------------------------------------------------------------

export async function workers(queueName: string): Promise<void> {
  const worker = new Worker(queueName, async (job: Job) => {
    await job.updateProgress(42)
    await job.updateProgress({ foo: 'bar' })
    return 'some value'
  }, { connection })
  const cancellable = new Worker(queueName, async (job: Job, token?: string, signal?: AbortSignal) => {
    if (signal?.aborted) throw new Error('cancelled')
    return 'some value'
  }, { connection })
  // Cancelling jobs in progress.
  const cancelled: boolean = cancellable.cancelJob('job-id', 'User requested cancellation')
  cancellable.cancelAllJobs('Shutting down')
  void cancelled
  const manual = new Worker(queueName, async (job: Job) => 'some value', { connection, autorun: false })
  await manual.run()

  worker.on('completed', (job: Job, returnvalue: any) => {})
  worker.on('progress', (job: Job, progress: JobProgress) => {})
  worker.on('failed', (job: Job | undefined, error: Error, prev: string) => {})
  worker.on('error', (err) => {
    console.error(err)
  })
  worker.on('drained', () => {})

  // Typed data and return value.
  interface MyData {
    url: string
  }
  interface MyReturn {
    status: number
  }
  const typed = new Worker<MyData, MyReturn>(queueName, async (job) => {
    const url: string = job.data.url
    return { status: url.length }
  }, { connection })
  typed.on('completed', (job, result) => {
    const status: number = result.status
    void status
  })

  // A processor declared on its own.
  const processor: Processor<MyData, MyReturn> = async (job, token, signal) => ({ status: 200 })
  const fromProcessor = new Worker<MyData, MyReturn>(queueName, processor, { connection, concurrency: 50, lockDuration: 60000 })

  const options: WorkerOptions = {
    connection: { host: 'localhost', port: 6379 },
    concurrency: 10,
    limiter: { max: 10, duration: 1000 },
    removeOnComplete: { count: 1000 },
    removeOnFail: { age: 24 * 3600 },
    stalledInterval: 30000,
    maxStalledCount: 1,
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK * 2 },
  }
  const configured = new Worker(queueName, null, options)

  // A progress type, checked by updateProgress and the progress event.
  type MyProgress = { percentage: number; message: string }
  const progressed = new Worker<MyData, MyReturn, string, RedisQueueBackend, MyProgress>(
    queueName,
    async (job) => {
      await job.updateProgress({ percentage: 42, message: 'halfway' })
      return { status: 1 }
    },
    { connection },
  )
  progressed.on('progress', (job, progress) => {
    console.log(progress.percentage, progress.message)
  })
  await Promise.all([cancellable.close(), fromProcessor.close(), configured.close(), worker.close(true)])
}

// --- Events ----------------------------------------------------------------------

export function events(): void {
  const myQueue = new Queue('Paint', { connection })
  myQueue.on('waiting', (job: Job) => {})

  const queueEvents = new QueueEvents('Paint', { connection })
  queueEvents.on('completed', ({ jobId, returnvalue }) => {})
  queueEvents.on('failed', ({ jobId, failedReason }: { jobId: string; failedReason: string }) => {})
  queueEvents.on('progress', ({ jobId, data }: { jobId: string; data: JobProgress }) => {})
  queueEvents.on('progress', ({ jobId, data }) => {
    const progress: JobProgress = data
    void progress
  })

  // The listener interface, extended with an event the app publishes itself.
  interface CustomListener extends QueueEventsListener {
    'example-event': (args: { custom: string }, id: string) => void
  }
  queueEvents.on<CustomListener>('example-event', ({ custom }: { custom: string }) => {})
  // Events typed by the queue's result type.
  const typedEvents = new QueueEvents<MyResultType>('Paint', { connection })
  typedEvents.on('completed', ({ jobId, returnvalue }) => {
    const bar: string = returnvalue.bar
    void [jobId, bar]
  })
  void myQueue
}

// --- Returning job data ----------------------------------------------------------

export async function returning(): Promise<void> {
  const myWorker = new Worker('AsyncProc', async (job) => {
    const result = await doSomeAsyncProcessing()
    return result
  }, { connection })
  const queueEvents = new QueueEvents('AsyncProc', { connection })
  queueEvents.on('completed', ({ returnvalue }) => {
    console.log(returnvalue)
  })
  const queue = new Queue('AsyncProc', { connection })
  const job = await queue.add('sum', { a: 1 })
  const value = await job.waitUntilFinished(queueEvents, 30000)
  const finished: FinishedStatus = value ? 'completed' : 'failed'
  void [myWorker, finished]
}

// --- Sandboxed processors -----------------------------------------------------------

export const sandboxedProcessor = async (job: SandboxedJob) => {
  await job.updateProgress(10)
  job.log('working')
  return job.data
}

export function sandboxed(queueName: string): void {
  const processorFile = path.join(__dirname, 'my_procesor.js')
  const worker = new Worker(queueName, processorFile, { connection })
  const processorUrl = pathToFileURL(__dirname + '/my_procesor.js')
  const urlWorker = new Worker(queueName, processorUrl, { connection })
  const threads = new Worker(queueName, processorFile, { connection, useWorkerThreads: true })
  void [worker, urlWorker, threads]
}

// --- Processor errors ---------------------------------------------------------------

export function processorErrors(queueName: string): void {
  const worker = new Worker(queueName, async (job: Job, token?: string) => {
    if (job.data.bad) throw new UnrecoverableError('Unrecoverable')
    if (job.data.later) {
      await job.moveToDelayed(Date.now() + 1000, token)
      throw new DelayedError()
    }
    if (job.data.limited) {
      await worker.rateLimit(1000)
      throw Worker.RateLimitError()
    }
    return 'done'
  }, { connection })
}

// --- Metrics and Prometheus -----------------------------------------------------------

export async function metrics(connection: ConnectionOptions): Promise<void> {
  const myWorker = new Worker('Paint', async () => 'ok', {
    connection,
    metrics: {
      maxDataPoints: MetricsTime.ONE_WEEK * 2,
    },
  })
  const queue = new Queue('Paint', { connection })
  const metrics: Metrics = await queue.getMetrics('completed', 0, MetricsTime.ONE_WEEK * 2)
  const total: number = metrics.meta.count
  void [myWorker, total]

  const server = http.createServer(async (req: http.IncomingMessage, res: http.ServerResponse) => {
    try {
      if (req.url === '/metrics' && req.method === 'GET') {
        const globalVariables = { env: 'Production', server: '1' }
        const text = await queue.exportPrometheusMetrics(globalVariables)
        res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) })
        res.end(text)
      } else {
        res.writeHead(404)
        res.end('Not Found')
      }
    } catch (err: unknown) {
      res.writeHead(500)
      res.end(`Error: ${err instanceof Error ? err.message : 'Unknown error'}`)
    }
  })
  server.listen(3000)
}

// --- Telemetry ------------------------------------------------------------------------

export function telemetry(): void {
  const queue = new Queue('myQueue', {
    connection: {
      host: '127.0.0.1',
      port: 6379,
    },
    telemetry: new BullMQOtel({ tracerName: 'simple-guide' }),
  })
  const worker = new Worker(
    'myQueue',
    async (job) => {
      return 'some value'
    },
    {
      name: 'myWorker',
      connection: {
        host: '127.0.0.1',
        port: 6379,
      },
      telemetry: new BullMQOtel({ tracerName: 'simple-guide', version: '0.0.1' }),
    },
  )
  void [queue, worker]
}
