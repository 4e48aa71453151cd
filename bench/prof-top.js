'use strict'
// Summarises a V8 .cpuprofile: self time by function, optionally only inside the timed
// windows that bench/run.js recorded. Each measurement runs in its own child process, so
// profile the children:
//
//   BENCH_CPU_PROF=/tmp/prof BENCH_SCENARIOS=process-c10 npm run bench
//   node bench/prof-top.js /tmp/prof/process-c10-ferroq-1.cpuprofile [bench/results.json [scenario-key [lib]]] [--top N]
//
// With a results file, only samples inside the windows of the given scenario
// (default: every process-* scenario) and library are counted. Windows are CLOCK_MONOTONIC
// microseconds, the clock of the profile's timestamps, so they line up across processes.

const fs = require('node:fs')

const args = process.argv.slice(2)
let top = 25
const ti = args.indexOf('--top')
if (ti >= 0) {
  top = Number(args[ti + 1])
  args.splice(ti, 2)
}
const [profFile, resultsFile, scenarioKey, lib] = args
if (!profFile) {
  console.error('usage: node bench/prof-top.js PROFILE.cpuprofile [results.json [scenario [lib]]] [--top N]')
  process.exit(2)
}

const prof = JSON.parse(fs.readFileSync(profFile, 'utf8'))
let windows = null
if (resultsFile) {
  const res = JSON.parse(fs.readFileSync(resultsFile, 'utf8'))
  windows = []
  for (const [key, perLib] of Object.entries(res.scenarios || {})) {
    if (scenarioKey ? key !== scenarioKey : !key.startsWith('process-')) continue
    for (const [l, rounds] of Object.entries(perLib)) {
      if (lib && l !== lib) continue
      if (!Array.isArray(rounds)) continue
      for (const r of rounds) if (r.window) windows.push(r.window)
    }
  }
}

const byId = new Map(prof.nodes.map((n) => [n.id, n]))
const selfUs = new Map()
let t = prof.startTime
let total = 0
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i]
  const dt = prof.timeDeltas[i + 1] !== undefined ? prof.timeDeltas[i + 1] : 0
  if (windows && !windows.some(([a, b]) => t >= a && t <= b)) continue
  selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) || 0) + dt)
  total += dt
}

// Group nodes by function identity (name + location).
const byFn = new Map()
for (const [id, us] of selfUs) {
  const cf = byId.get(id).callFrame
  const where = cf.url ? `${cf.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '')}:${cf.lineNumber + 1}` : ''
  const key = `${cf.functionName || '(anonymous)'} ${where}`.trim()
  byFn.set(key, (byFn.get(key) || 0) + us)
}
const rows = [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)
const idle = byFn.get('(idle)') || 0
const busy = total - idle
console.log(
  `${(total / 1000).toFixed(0)} ms of samples${windows ? ` in ${windows.length} window(s)` : ''}, ` +
    `main thread busy ${(busy / 1000).toFixed(0)} ms (${((100 * busy) / total).toFixed(1)}%); self time (% of busy):`,
)
for (const [k, us] of rows) {
  if (k === '(idle)') continue
  console.log(`${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}`)
}
