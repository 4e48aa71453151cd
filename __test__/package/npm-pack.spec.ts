// `npm pack` of the package installs into a fresh TypeScript app and works
// there without Rust: the prebuilt .node travels in the tarball, and installing
// the tarball never runs the `prepare` build. The app type-checks against
// index.d.ts under `--strict --module nodenext`, runs a job through the test
// Redis, and loads the package from CommonJS, from ESM (named imports) and as
// the `ferroq` command.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { connection, queueName } from '../helpers'

const ROOT = path.resolve(__dirname, '..', '..')
const ADDON = 'ferroq.linux-x64-gnu.node'

interface Ran {
  stdout: string
  stderr: string
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`))
      else resolve({ stdout, stderr })
    })
  })
}

/** Relative `require('./x')` targets of a shipped JS file, as package paths. */
function localRequires(file: string): string[] {
  const src = fs.readFileSync(path.join(ROOT, file), 'utf8')
  const out: string[] = []
  for (const m of src.matchAll(/require\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)) {
    out.push(path.relative(ROOT, path.resolve(ROOT, path.dirname(file), m[1])))
  }
  return out
}

const APP_TS = `import { Queue, Worker, type Job } from 'ferroq'
import process from 'node:process'

async function main(): Promise<void> {
  const name = process.argv[2]
  const connection = { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }
  const queue = new Queue(name, { connection })
  const worker = new Worker(name, async (job: Job) => ({ doubled: (job.data as { n: number }).n * 2 }), { connection })
  const result = new Promise<unknown>((resolve, reject) => {
    worker.on('completed', (_job: Job, rv: unknown) => resolve(rv))
    worker.on('failed', (_job: Job | undefined, err: Error) => reject(err))
  })
  await queue.add('double', { n: 21 })
  console.log(JSON.stringify({ result: await result }))
  await worker.close()
  await queue.close()
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
`

const CHECK_CJS = `const ferroq = require('ferroq')
const { Queue } = ferroq
const queue = new Queue(process.argv[2], { connection: { url: process.env.REDIS_URL } })
queue.getJobCounts('waiting').then(async (counts) => {
  console.log(JSON.stringify({ queue: typeof Queue, worker: typeof ferroq.Worker, version: ferroq.version, counts }))
  await queue.close()
})
`

const CHECK_MJS = `import { Queue, Worker, version } from 'ferroq'
const queue = new Queue(process.argv[2], { connection: { url: process.env.REDIS_URL } })
const counts = await queue.getJobCounts('waiting')
console.log(JSON.stringify({ queue: typeof Queue, worker: typeof Worker, version, counts }))
await queue.close()
`

describe('npm pack', () => {
  let tmp: string

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferroq-pack-'))
  })

  afterAll(() => {
    fs.rmSync(tmp, { recursive: true, force: true })
  })

  test('the tarball installs into a TypeScript app without Rust and works from TS, CJS, ESM and the CLI', async () => {
    expect(fs.existsSync(path.join(ROOT, ADDON))).toBe(true) // build first: npm run build

    // --ignore-scripts: the addon is already built; `prepare` would rebuild it.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], ROOT)
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')))
    const files: string[] = info.files.map((f: { path: string }) => f.path)
    expect(files).toEqual(expect.arrayContaining([ADDON, 'index.js', 'index.d.ts', 'binding.js', 'binding.d.ts', 'src/js/cli.js']))
    // Everything the shipped JS requires by relative path ships too. binding.js
    // is left out: it names the addon of every platform napi-rs supports, and
    // this platform's is checked above.
    const shippedJs = files.filter((f) => f.endsWith('.js') && f !== 'binding.js')
    for (const f of shippedJs) {
      for (const dep of localRequires(f)) expect({ from: f, dep, shipped: files.includes(dep) }).toEqual({ from: f, dep, shipped: true })
    }
    const tarball = path.join(tmp, info.filename)

    // A fresh app. Fake `cargo` and `napi` come first on PATH: if installing
    // tried to build, they would leave a mark (and fail the install).
    const app = path.join(tmp, 'app')
    const fakeBin = path.join(tmp, 'fake-bin')
    const mark = path.join(tmp, 'build-attempted')
    fs.mkdirSync(app)
    fs.mkdirSync(fakeBin)
    for (const tool of ['cargo', 'napi', 'rustc']) {
      fs.writeFileSync(path.join(fakeBin, tool), `#!/bin/sh\necho ${tool} >> "${mark}"\nexit 1\n`, { mode: 0o755 })
    }
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'ferroq-pack-app', version: '1.0.0', private: true }, null, 2))
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${fakeBin}${path.delimiter}${process.env.PATH}` }
    delete env.npm_config_ignore_scripts
    await run(
      'npm',
      ['install', tarball, 'typescript@6.0.3', '@types/node@20', '--no-audit', '--no-fund', '--prefer-offline'],
      app,
      env,
    )
    expect(fs.existsSync(mark)).toBe(false)
    const installed = path.join(app, 'node_modules', 'ferroq')
    expect(fs.existsSync(path.join(installed, ADDON))).toBe(true)
    expect(fs.existsSync(path.join(installed, 'Cargo.toml'))).toBe(false)

    // TypeScript: strict, nodenext, type-checked against the shipped index.d.ts.
    // No `--types node`: TypeScript 6 no longer loads every @types package by
    // default, so `node:process` resolves only because index.d.ts references
    // the node types itself.
    fs.writeFileSync(path.join(app, 'app.ts'), APP_TS)
    const tsc = path.join(app, 'node_modules', '.bin', 'tsc')
    await run(tsc, ['--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', 'app.ts'], app, env)
    const redisEnv = { ...env, REDIS_URL: connection().url }
    const name = queueName('pack')
    const ran = await run(process.execPath, ['app.js', name], app, redisEnv)
    expect(JSON.parse(ran.stdout.trim())).toEqual({ result: { doubled: 42 } })

    // CommonJS require and ESM named imports.
    fs.writeFileSync(path.join(app, 'check.cjs'), CHECK_CJS)
    fs.writeFileSync(path.join(app, 'check.mjs'), CHECK_MJS)
    const expected = { queue: 'function', worker: 'function', version: expect.any(String), counts: { waiting: 0 } }
    for (const file of ['check.cjs', 'check.mjs']) {
      const out = await run(process.execPath, [file, name], app, redisEnv)
      expect({ file, ...JSON.parse(out.stdout.trim()) }).toEqual({ file, ...expected })
    }

    // The `ferroq` command is linked into the app.
    const stats = await run(path.join(app, 'node_modules', '.bin', 'ferroq'), ['stats', '--json', name], app, redisEnv)
    expect(JSON.parse(stats.stdout)).toEqual([expect.objectContaining({ queue: name, completed: 1 })])
  }, 120000)
})
