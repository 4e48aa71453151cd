'use strict'
// Where the cost goes, for the process scenarios: Redis commandstats per job and Node's CPU by
// thread, from the median repetition (by jobs/s). Printed unless BENCH_DETAIL=0.

const { printTable } = require('./report')

/** The repetition whose jobs/s is the median one: its per-command detail stands for the scenario. */
function medianRep(reps) {
  const s = (reps || []).filter((m) => m && m.jobsPerSec).sort((a, b) => a.jobsPerSec - b.jobsPerSec)
  return s.length ? s[(s.length - 1) >> 1] : null
}

function printCommandStats(scenarios, results, libs) {
  const redisLibs = libs.filter((l) => l !== 'ferroq-memory')
  for (const sc of scenarios) {
    if (sc.kind !== 'process' || !results[sc.key]) continue
    const per = {}
    for (const lib of redisLibs) {
      const m = medianRep(results[sc.key][lib])
      per[lib] = (m && m.commandstats) || {}
    }
    const names = [...new Set(redisLibs.flatMap((l) => Object.keys(per[l])))]
    const weight = (k) => Math.max(...redisLibs.map((l) => (per[l][k] ? per[l][k].usecPerJob : 0)))
    const rows = names
      .filter((k) => weight(k) >= 0.05 || redisLibs.some((l) => per[l][k] && per[l][k].callsPerJob >= 0.5))
      .sort((a, b) => weight(b) - weight(a))
    if (!rows.length) continue
    console.log(`\nRedis commandstats per job, ${sc.key} (calls/job / µs/job; commands run by scripts included):`)
    const cell = (l, k) => (per[l][k] ? `${per[l][k].callsPerJob.toFixed(2)} / ${per[l][k].usecPerJob.toFixed(1)}` : '-')
    printTable(['command', ...redisLibs], rows.map((k) => [k, ...redisLibs.map((l) => cell(l, k))]))
  }
}

function printThreads(scenarios, results, libs) {
  if (!scenarios.some((sc) => sc.kind === 'process' && results[sc.key])) return
  console.log('\nNode CPU by thread, µs/job [context switches/job]; Redis bytes in/out and context switches per job:')
  for (const sc of scenarios) {
    if (sc.kind !== 'process' || !results[sc.key]) continue
    for (const lib of libs) {
      const m = medianRep(results[sc.key][lib])
      if (!m) continue
      const th = Object.entries(m.nodeThreads || {})
        .filter(([, v]) => v.usPerJob >= 0.5 || v.ctxPerJob >= 0.05)
        .sort((a, b) => b[1].usPerJob - a[1].usPerJob)
        .map(([k, v]) => `${k}${v.threads > 1 ? `(x${v.threads})` : ''} ${v.usPerJob.toFixed(1)} [${v.ctxPerJob.toFixed(2)}]`)
        .join(', ')
      const redis =
        m.redisBytesInPerJob == null
          ? ''
          : ` | bytes ${m.redisBytesInPerJob.toFixed(0)}/${m.redisBytesOutPerJob.toFixed(0)}` +
            (m.redisCtxSwitchesPerJob == null ? '' : `, redis ctx sw ${m.redisCtxSwitchesPerJob.toFixed(2)}`)
      console.log(`  ${sc.key.padEnd(13)} ${lib.padEnd(14)}: ${th}${redis}`)
    }
  }
}

module.exports = { printCommandStats, printThreads, medianRep }
