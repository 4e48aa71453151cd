// Shape rules from issue 8 that a reviewer would otherwise check by hand:
// the JS facade (index.js and src/js) has no require cycle, and no
// hand-written product source file is over 400 lines.
import * as fs from 'node:fs'
import * as path from 'node:path'

const ROOT = path.resolve(__dirname, '..')
const MAX_LINES = 400

/** Package-relative paths of files under `dir` (recursively) whose name ends with one of `exts`. */
function filesUnder(dir: string, exts: string[]): string[] {
  const out: string[] = []
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.posix.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...filesUnder(rel, exts))
    else if (exts.some((e) => entry.name.endsWith(e))) out.push(rel)
  }
  return out
}

/** The JS modules of the facade: index.js and src/js/*.js (binding.js is generated and excluded). */
function facadeModules(): string[] {
  const js = fs
    .readdirSync(path.join(ROOT, 'src/js'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => `src/js/${f}`)
  return ['index.js', ...js]
}

/** Package-relative targets of a file's relative `require('./x')` calls. */
function requiresOf(file: string): string[] {
  const src = fs.readFileSync(path.join(ROOT, file), 'utf8')
  const out: string[] = []
  for (const m of src.matchAll(/require\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) {
    let target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]))
    if (!target.endsWith('.js') && fs.existsSync(path.join(ROOT, `${target}.js`))) target = `${target}.js`
    out.push(target)
  }
  return out
}

/** The first require cycle found in `graph` (as a path that ends where it starts), or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (node: string): string[] | null => {
    const s = state.get(node)
    if (s === 'done') return null
    if (s === 'open') return [...stack.slice(stack.indexOf(node)), node]
    state.set(node, 'open')
    stack.push(node)
    for (const next of graph.get(node) || []) {
      const cycle = visit(next)
      if (cycle) return cycle
    }
    stack.pop()
    state.set(node, 'done')
    return null
  }
  for (const node of graph.keys()) {
    const cycle = visit(node)
    if (cycle) return cycle
  }
  return null
}

/** `wc -l`: the number of line ends. */
function lineCount(file: string): number {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8')
  return (text.match(/\n/g) || []).length
}

describe('architecture', () => {
  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ])
    expect(findCycle(graph)).toEqual(['a', 'b', 'c', 'a'])
    expect(findCycle(new Map([['a', ['b']], ['b', []], ['c', ['a', 'b']]]))).toBeNull()
    expect(findCycle(new Map([['a', ['a']]]))).toEqual(['a', 'a'])
  })

  it('reads the requires of the facade modules', () => {
    const graph = new Map(facadeModules().map((f) => [f, requiresOf(f)]))
    expect(graph.get('index.js')).toEqual(expect.arrayContaining(['src/js/queue.js', 'src/js/worker.js']))
    // Every relative require names a file that exists (a typo would hide an edge).
    for (const [file, targets] of graph) {
      for (const t of targets) expect({ file, target: t, exists: fs.existsSync(path.join(ROOT, t)) }).toEqual({ file, target: t, exists: true })
    }
  })

  it('has no require cycle among index.js and src/js modules', () => {
    const graph = new Map(facadeModules().map((f) => [f, requiresOf(f)]))
    const cycle = findCycle(graph)
    expect(cycle && cycle.join(' -> ')).toBeNull()
  })

  it('presets take what they need from src/js modules, never from index.js', () => {
    for (const file of facadeModules().filter((f) => f !== 'index.js')) {
      expect({ file, requiresIndex: requiresOf(file).includes('index.js') }).toEqual({ file, requiresIndex: false })
    }
  })

  it(`has no hand-written product source file over ${MAX_LINES} lines`, () => {
    const files = [...new Set([...facadeModules(), 'index.d.ts', ...filesUnder('src', ['.rs', '.lua', '.d.ts', '.js'])])]
    const over = files.filter((f) => lineCount(f) > MAX_LINES).map((f) => `${f}: ${lineCount(f)} lines`)
    expect(over).toEqual([])
  })
})
