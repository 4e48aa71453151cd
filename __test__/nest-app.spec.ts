// @nestjs/bullmq on ferroq, the swap a Nest user makes: the app depends on
// `bullmq` and gets ferroq under that name (here `"bullmq": "file:<ferroq
// tarball>"`, the local form of the npm alias `"bullmq": "npm:ferroq@…"`), plus
// `"overrides": { "bullmq": "$bullmq" }` so that @nestjs/bullmq's peer
// dependency on bullmq ^6 is met by it. The spec installs the app for real
// (no --legacy-peer-deps) and compiles fixtures/nest-app/app.ts (BullModule.forRoot
// / registerQueue, @Processor + WorkerHost, @OnWorkerEvent, @InjectQueue,
// @QueueEventsListener + @OnQueueEvent, registerFlowProducer + @InjectFlowProducer)
// and fixtures/nest-app/app-async.ts (forRootAsync + manualRegistration +
// BullRegistrar, a named shared config, registerQueueAsync, registerQueue's
// `processors`, registerFlowProducerAsync, a request-scoped processor, routing
// by job name, shutdown) against ferroq's types, then runs them against the
// test Redis and checks what they saw and what they left in Redis. (app-async's
// output is the one bullmq 6.7.0 + ioredis 5 print for the same app.)
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Queue, version as ferroqVersion } from '..'
import { connection, queueName, testRedisOnly } from './helpers'

const ROOT = path.resolve(__dirname, '..')
const FIXTURE = path.join(__dirname, 'fixtures', 'nest-app')
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
/** The versions TOOLCHAIN.md §9 names. */
const NEST_DEPS = {
  '@nestjs/bullmq': '12.0.0',
  '@nestjs/common': '12.5.1',
  '@nestjs/core': '12.5.1',
  'reflect-metadata': '0.2.2',
  rxjs: '7.8.2',
}

interface Ran {
  code: number
  stdout: string
  stderr: string
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr })
    })
  })
}

const npmInstall = (cwd: string, extra: string[] = []) => run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...extra], cwd)

describe('@nestjs/bullmq on ferroq', () => {
  let tmp: string
  let app: string
  let tarball: string

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferroq-nest-'))
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], ROOT)
    expect(packed.code).toBe(0)
    tarball = path.join(tmp, JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')))[0].filename)
    app = path.join(tmp, 'app')
    fs.mkdirSync(app)
  }, 120000)

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

  const writePackage = (dir: string, overrides: boolean) =>
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify(
        {
          name: 'ferroq-nest-app',
          version: '1.0.0',
          private: true,
          type: 'module',
          dependencies: { ...NEST_DEPS, bullmq: `file:${tarball}` },
          ...(overrides ? { overrides: { bullmq: '$bullmq' } } : {}),
        },
        null,
        2,
      ),
    )

  test('installs without --legacy-peer-deps once overrides points bullmq at the swapped package (and not without)', async () => {
    // Without the override npm refuses: ferroq's version is not bullmq ^6.
    const bare = path.join(tmp, 'bare')
    fs.mkdirSync(bare)
    writePackage(bare, false)
    const refused = await run('npm', ['install', '--dry-run', '--no-audit', '--no-fund', '--prefer-offline'], bare)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain('ERESOLVE')

    writePackage(app, true)
    const installed = await npmInstall(app)
    expect({ code: installed.code, stderr: installed.code === 0 ? '' : installed.stderr }).toEqual({ code: 0, stderr: '' })
    const swapped = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'bullmq', 'package.json'), 'utf8'))
    expect({ name: swapped.name, version: swapped.version }).toEqual({ name: 'ferroq', version: ferroqVersion })
  }, 240000)

  test('the Nest app (fixtures/nest-app/app.ts) type-checks against ferroq, @nestjs/bullmq’s declarations included', async () => {
    expect(fs.existsSync(path.join(app, 'node_modules', '@nestjs', 'bullmq'))).toBe(true) // installed by the test above
    for (const f of ['app.ts', 'app-async.ts', 'tsconfig.json']) fs.copyFileSync(path.join(FIXTURE, f), path.join(app, f))
    const compiled = await run(process.execPath, [TSC, '-p', 'tsconfig.json', '--typeRoots', path.join(ROOT, 'node_modules', '@types')], app)
    expect({ code: compiled.code, out: compiled.stdout }).toEqual({ code: 0, out: '' })
    expect(fs.existsSync(path.join(app, 'dist', 'app.js'))).toBe(true)
    expect(fs.existsSync(path.join(app, 'dist', 'app-async.js'))).toBe(true)
  }, 120000)

  testRedisOnly('the Nest app runs its processor, worker events, injected queue and queue events on ferroq', async () => {
    expect(fs.existsSync(path.join(app, 'dist', 'app.js'))).toBe(true) // compiled by the test above
    const name = queueName('nest')
    const ran = await run(process.execPath, [path.join('dist', 'app.js'), name], app, { ...process.env, REDIS_URL: connection().url })
    expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: '' })
    const out = JSON.parse(ran.stdout.trim().split('\n').pop()!)
    const [one, two, three] = out.ids
    // `bullmq` was ferroq: its exports and the meta version it writes.
    expect(out.library).toEqual({ ferroqVersion, metaVersion: `bullmq:6.7.0+ferroq.${ferroqVersion}` })
    expect(out.seen.processed.sort()).toEqual([1, 2, 3])
    expect(out.seen.workerCompleted.sort()).toEqual([`${one}:2`, `${two}:4`].sort())
    expect(out.seen.workerFailed).toEqual([`${three}:cannot double 3`])
    expect(out.seen.eventsCompleted.sort()).toEqual([`${one}:{"doubled":2}`, `${two}:{"doubled":4}`].sort())
    expect(out.seen.eventsFailed).toEqual([`${three}:cannot double 3`])

    // What the app did is in Redis, as ferroq reads it.
    const queue = new Queue(name, { connection: connection() })
    expect(await queue.getJobCounts('completed', 'failed', 'waiting', 'active')).toEqual({ completed: 2, failed: 1, waiting: 0, active: 0 })
    expect((await queue.getJob(one))!.returnvalue).toEqual({ doubled: 2 })
    expect((await queue.getJob(one))!.progress).toBe(50)
    // The flow the injected FlowProducer added: a parent waiting for its two children.
    const flowQueue = new Queue(`${name}-flow`, { connection: connection() })
    expect(await flowQueue.getJobState(out.flowParent)).toBe('waiting-children')
    const parent = (await flowQueue.getJob(out.flowParent))!
    expect(await parent.getDependenciesCount()).toEqual({ failed: 0, ignored: 0, processed: 0, unprocessed: 2 })
    expect((await flowQueue.getWaiting()).map((j) => j.data.n).sort()).toEqual([1, 2])
    await Promise.all([queue.close(), flowQueue.close()])
  }, 120000)

  testRedisOnly('the async-configured Nest app (app-async.ts) registers by hand, routes by name and closes everything on shutdown', async () => {
    expect(fs.existsSync(path.join(app, 'dist', 'app-async.js'))).toBe(true) // compiled above
    const name = queueName('nest-async')
    const altPrefix = `alt${process.pid}`
    const ran = await run(process.execPath, [path.join('dist', 'app-async.js'), name, altPrefix], app, { ...process.env, REDIS_URL: connection().url })
    expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: '' })
    const out = JSON.parse(ran.stdout.trim().split('\n').pop()!)
    expect(out.ids).toEqual({ add: '1', flaky: '2', mystery: '3', alt: '1', callback: '1', scoped: '1' })
    const { seen } = out
    // manualRegistration: the worker did not exist before BullRegistrar.register().
    expect(seen.beforeRegister).toBe('"Worker" has not yet been initialized. M')
    expect([...seen.active].sort()).toEqual(['add', 'flaky', 'flaky', 'mystery', 'sum-children'])
    // `attempts: 2` from registerQueueAsync's defaultJobOptions: flaky fails once, then completes.
    expect([...seen.completed].sort()).toEqual(['add:3:2', 'flaky:"second try":2', 'sum-children:30:0'])
    expect([...seen.failed].sort()).toEqual(['flaky:first try fails:1', 'mystery:no handler for mystery:1'])
    // The 'alt' shared config's prefix reached both the queue and its @Processor's worker.
    expect(seen.alt).toEqual([`alt x on ${altPrefix}`])
    const cb = `${name}-cb`
    // The callback worker ran the job added to its queue and the flow's two children (ids generated).
    expect(seen.events).toHaveLength(4)
    expect(seen.events).toContain(`${cb}:1:70`)
    expect(seen.events).toContain(`${name}-scoped:"scoped 5, same job: true"`)
    expect(seen.events.filter((e: string) => e.startsWith(`${cb}:`)).map((e: string) => e.split(':').pop()).sort()).toEqual(['10', '20', '70'])
    expect(out.shutdown).toEqual({ workerRunning: false, queueClosed: true, eventsClosed: true, flowsClosed: true })

    const alt = new Queue(`${name}-alt`, { connection: connection(), prefix: altPrefix })
    const unprefixed = new Queue(`${name}-alt`, { connection: connection() })
    expect(await alt.getJobState('1')).toBe('completed')
    expect(await unprefixed.getJobState('1')).toBe('unknown')
    const main = new Queue(`${name}-main`, { connection: connection() })
    expect((await main.getJob(out.flowParent))!.returnvalue).toBe(30)
    await Promise.all([alt.close(), unprefixed.close(), main.close()])
  }, 120000)
})
