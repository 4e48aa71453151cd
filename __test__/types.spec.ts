// index.d.ts against BullMQ's documented surface: types/bullmq-docs-app.ts (the
// snippets of BullMQ's guide) and types/bullmq-api-app.ts (the rest of the
// surface: manual processing, cancellation, flows, job schedulers,
// QueueEventsProducer, queue maintenance and getters, Job's class methods,
// constants) compile unchanged against bullmq 6.7.0 and against ferroq, with `--strict` and library checks on (bullmq-otel's own
// declarations, which import from 'bullmq', are checked against ferroq's); and
// types/bullmq-typos.ts, misspelt options, fails on exactly the marked lines
// with both. ferroq stands in for `bullmq` through a `paths` mapping, which is
// what the npm alias `"bullmq": "npm:ferroq@…"` does for the compiler. And the
// values index.d.ts declares are exactly those index.js exports.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as ts from 'typescript'

const ROOT = path.resolve(__dirname, '..')
const TYPES = path.join(__dirname, 'types')
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')

let tmp: string
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferroq-types-'))
})
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

/** Runs tsc on `files`, `bullmq` being ferroq or the real package; resolves with its diagnostics. */
function compile(files: string[], bullmq: 'ferroq' | 'bullmq'): Promise<string[]> {
  const config = {
    compilerOptions: {
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      target: 'es2022',
      lib: ['es2022'],
      module: 'nodenext',
      moduleResolution: 'nodenext',
      types: ['node'],
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      ...(bullmq === 'ferroq' ? { paths: { bullmq: [path.join(ROOT, 'index.d.ts')] } } : {}),
    },
    files,
  }
  const project = path.join(tmp, `tsconfig.${bullmq}.json`)
  fs.writeFileSync(project, JSON.stringify(config, null, 2))
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, '-p', project, '--pretty', 'false'], { maxBuffer: 16 * 1024 * 1024 }, (_err, stdout) => {
      resolve(stdout.split('\n').filter((l) => l.includes('error TS')))
    })
  })
}

/** 1-based numbers of the lines marked `// typo`. */
function typoLines(file: string): number[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, i) => (line.trimEnd().endsWith('// typo') ? [i + 1] : []))
}

/** The line numbers of `file`'s errors, one per line. */
function errorLines(diagnostics: string[], file: string): number[] {
  const name = path.basename(file)
  const lines = diagnostics.filter((d) => d.includes(name)).map((d) => Number(/\((\d+),\d+\)/.exec(d)![1]))
  return [...new Set(lines)].sort((a, b) => a - b)
}

describe('index.d.ts as BullMQ’s types', () => {
  const app = path.join(TYPES, 'bullmq-docs-app.ts')
  const api = path.join(TYPES, 'bullmq-api-app.ts')
  const typos = path.join(TYPES, 'bullmq-typos.ts')
  // Both files in one compiler run per library, one run at a time: each takes a core for a while.
  let withBullmq: string[]
  let withFerroq: string[]
  beforeAll(async () => {
    withBullmq = await compile([app, api, typos], 'bullmq')
    withFerroq = await compile([app, api, typos], 'ferroq')
  }, 240000)

  test.each([
    ['the guide’s snippets', 'bullmq-docs-app.ts'],
    ['the rest of the API', 'bullmq-api-app.ts'],
  ])('an app written against bullmq’s documentation (%s) compiles unchanged against bullmq 6.7.0 and against ferroq', (_what, file) => {
    const ofApp = (d: string[]) => d.filter((line) => line.includes(file))
    expect({ bullmq: ofApp(withBullmq) }).toEqual({ bullmq: [] })
    expect({ ferroq: ofApp(withFerroq) }).toEqual({ ferroq: [] })
  })

  test('misspelt options are type errors with ferroq as with bullmq, each on its own line', () => {
    const marked = typoLines(typos)
    expect(marked.length).toBeGreaterThanOrEqual(24)
    expect({ bullmq: errorLines(withBullmq, typos) }).toEqual({ bullmq: marked })
    expect({ ferroq: errorLines(withFerroq, typos) }).toEqual({ ferroq: marked })
    // Nothing else fails: every error is in the typos file, and ferroq's are unknown-property errors.
    for (const d of withBullmq) expect(d).toMatch(/bullmq-typos\.ts\(\d+,\d+\): error TS/)
    for (const d of withFerroq) expect(d).toMatch(/bullmq-typos\.ts\(\d+,\d+\): error TS(2353|2561)/)
  })
})

describe('index.d.ts and index.js', () => {
  test('declare and export the same values', () => {
    const file = path.join(ROOT, 'index.d.ts')
    const program = ts.createProgram([file], { types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')] })
    const checker = program.getTypeChecker()
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file)!)!
    const declared = checker
      .getExportsOfModule(moduleSymbol)
      .filter((s) => ((s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s).flags & ts.SymbolFlags.Value) !== 0)
      .map((s) => s.name)
      .sort()
    const exported = Object.keys(require('..')).sort()
    expect(declared).toEqual(exported)
    // The BullMQ names this checks, among others.
    expect(declared).toEqual(expect.arrayContaining(['Queue', 'Worker', 'Job', 'QueueEvents', 'QueueEventsProducer', 'FlowProducer', 'QueueKeys', 'PRIORITY_LIMIT']))
  }, 60000)
})

describe('the README’s list of what ferroq lacks', () => {
  test('is exactly bullmq 6.7.0’s runtime exports that ferroq does not export', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    const section = /<!-- not-exported -->([\s\S]*?)<!-- \/not-exported -->/.exec(readme)
    expect(section).not.toBeNull()
    const listed = [...section![1].matchAll(/`([A-Za-z0-9_]+)`/g)].map((m) => m[1]).sort()
    const ours = new Set(Object.keys(require('..')))
    const missing = Object.keys(require('bullmq'))
      .filter((name) => !ours.has(name))
      .sort()
    expect(listed).toEqual(missing)
    expect(new Set(listed).size).toBe(listed.length)
  })
})
