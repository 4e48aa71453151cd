// Vitest config for the bullmq-suite (see run.js): BullMQ's test files, as
// extracted into SUITE_WORK, import the library as `../src/<module>`; this
// resolves those imports to the library under test (SUITE_LIB):
//   bullmq: its built CommonJS modules (`<bullmq>/dist/cjs/<module>`);
//   ferroq: this checkout's index.js through the shims in ./shim.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const HERE = path.dirname(fileURLToPath(import.meta.url))
const WORK = path.resolve(process.env.SUITE_WORK || '')
const LIB = process.env.SUITE_LIB || 'bullmq'
const BULLMQ_DIST = process.env.SUITE_BULLMQ_DIST || ''
const SRC = path.join(WORK, 'src') + path.sep
const RAW_CLIENT_UTIL = path.join(WORK, 'tests', 'utils', 'get-redis-client')
const RAW_CLIENT = LIB === 'ferroq' && process.env.SUITE_RAW_CLIENT !== '0'

const FERROQ_SHIMS = {
  classes: 'classes.js',
  utils: 'utils.js',
  enums: 'enums.js',
  version: 'version.js',
  interfaces: 'empty.js',
  types: 'empty.js',
}

/** The file `<work>/src/<sub>` stands for, or null when the library has none. */
function libraryFile(sub) {
  if (LIB === 'ferroq') {
    const top = sub.split('/')[0]
    // Type-only modules: anything under interfaces/ or types/ is empty at run time.
    if (top === 'interfaces' || top === 'types') return path.join(HERE, 'shim', 'empty.js')
    return FERROQ_SHIMS[sub] ? path.join(HERE, 'shim', FERROQ_SHIMS[sub]) : null
  }
  const base = path.join(BULLMQ_DIST, 'cjs', sub)
  if (fs.existsSync(path.join(base, 'index.js'))) return path.join(base, 'index.js')
  if (fs.existsSync(`${base}.js`)) return `${base}.js`
  return null
}

const librarySwap = {
  name: 'bullmq-suite-library',
  enforce: 'pre',
  resolveId(source, importer) {
    if (!importer || !source.startsWith('.')) return null
    const abs = path.resolve(path.dirname(importer), source)
    // BullMQ's raw-client test util (see shim/get-redis-client.js).
    if (RAW_CLIENT && abs.replace(/\.ts$/, '') === RAW_CLIENT_UTIL) return path.join(HERE, 'shim', 'get-redis-client.js')
    if (!abs.startsWith(SRC)) return null
    const file = libraryFile(abs.slice(SRC.length).replace(/\.(ts|js)$/, ''))
    if (!file) throw new Error(`bullmq-suite: ${LIB} has no module for ${source} (imported by ${path.basename(importer)})`)
    return file
  },
}

export default defineConfig({
  plugins: [librarySwap],
  test: {
    root: WORK,
    include: ['tests/**/*.test.ts'],
    setupFiles: [path.join(HERE, 'setup.mjs')],
    testTimeout: Number(process.env.SUITE_TEST_TIMEOUT || 10000),
    hookTimeout: Number(process.env.SUITE_TEST_TIMEOUT || 10000),
    sequence: { concurrent: false },
    fileParallelism: false,
    globals: false,
    // The library (and the shims that load it) run in Node as they are, not
    // through Vite's transform: one copy of each class, native addon included.
    server: { deps: { external: [/bullmq-suite[\\/]shim[\\/]/, /node_modules/] } },
  },
})
