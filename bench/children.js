'use strict'
// Starting measurement children (bench/child.js) and collecting what they wrote.

const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn } = require('node:child_process')

const CHILD = path.join(__dirname, 'child.js')
let tmp = null // a directory for the result files, made on first use
let seq = 0

/**
 * Runs one child to its end and resolves with the JSON it wrote, or `{ errors: [...] }` when it
 * failed, timed out (then it is killed by pid) or wrote nothing. `nodeArgs` go before the script
 * (e.g. --cpu-prof).
 */
function runChild(spec, { nodeArgs = [], timeoutMs }) {
  if (!tmp) tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferroq-bench-'))
  const out = path.join(tmp, `${++seq}.json`)
  const child = spawn(process.execPath, [...nodeArgs, CHILD, JSON.stringify({ ...spec, out })], {
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  return new Promise((resolve) => {
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      process.kill(child.pid, 'SIGKILL')
    }, timeoutMs)
    const finish = (code, signal) => {
      clearTimeout(timer)
      let result = null
      try {
        result = JSON.parse(fs.readFileSync(out, 'utf8'))
        fs.unlinkSync(out)
      } catch {
        // no result file: reported below
      }
      if (result && code === 0) return resolve(result)
      const why = timedOut ? `killed after ${timeoutMs} ms` : `exited with ${signal || `code ${code}`}`
      resolve({ ...(result || {}), errors: [...((result && result.errors) || []), `${spec.label || spec.mode}: child ${why}`] })
    }
    child.once('exit', finish)
    child.once('error', (e) => {
      clearTimeout(timer)
      resolve({ errors: [`${spec.label || spec.mode}: ${e.message}`] })
    })
  })
}

/** Removes the result directory (empty unless a child failed after writing). */
function cleanup() {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true })
}

module.exports = { runChild, cleanup }
