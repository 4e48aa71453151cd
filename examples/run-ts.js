'use strict'
// Runs a TypeScript entry point with plain `node`, no ts-node:
//   node examples/run-ts.js examples/lesson-generation/worker.ts [args...]
// A require hook strips the types of each .ts file with typescript's
// transpileModule as it loads. It type-checks nothing; Jest and
// `npx tsc -p examples` do that.
const fs = require('node:fs')
const path = require('node:path')
const ts = require('typescript')

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  inlineSourceMap: true,
}

require.extensions['.ts'] = function compileTs(module, filename) {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename })
  module._compile(outputText, filename)
}
// Stack traces point at the .ts lines, through the inline source maps.
process.setSourceMapsEnabled(true)

const entry = process.argv[2]
if (!entry) {
  console.error('usage: node examples/run-ts.js <entry.ts> [args...]')
  process.exit(64)
}
// The entry sees itself as argv[1], and its own args from argv[2] on, as if run directly.
process.argv.splice(1, 1)
require(path.resolve(entry))
