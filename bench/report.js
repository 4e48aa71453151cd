'use strict'
// Turns the repetitions into medians, ratios against bullmq, and the printed tables.

const BASE = 'bullmq'

// The figures summarised per scenario and library; `better` says which way is good (for best-of).
const FIELDS = {
  jobsPerSec: 'higher',
  nodeUsPerJob: 'lower',
  nodeMainUsPerJob: 'lower',
  redisUsPerJob: 'lower',
  redisCmdsPerJob: 'lower',
  redisBytesInPerJob: 'lower',
  redisBytesOutPerJob: 'lower',
  nodeCpuShare: 'lower',
  redisCpuShare: 'lower',
  p50: 'lower',
  p90: 'lower',
  p99: 'lower',
  max: 'lower',
  peakRssMB: 'lower',
  addRate: 'higher',
}

const finite = (xs) => xs.filter((x) => typeof x === 'number' && Number.isFinite(x))

function median(xs) {
  const s = finite(xs).sort((a, b) => a - b)
  if (!s.length) return null
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

function aggregate(xs, better, how) {
  if (how !== 'best') return median(xs)
  const s = finite(xs)
  if (!s.length) return null
  return better === 'higher' ? Math.max(...s) : Math.min(...s)
}

/** { scenarioKey: { lib: { field: median, spread: [min, max] of the headline figure, reps } } } */
function summarise(scenarios, results, libs, how) {
  const out = {}
  for (const sc of scenarios) {
    const per = results[sc.key]
    if (!per || sc.kind === 'outcome' || sc.kind === 'long') continue
    out[sc.key] = {}
    for (const lib of libs) {
      const reps = per[lib] || []
      if (!reps.length) continue
      const s = { reps: reps.length }
      for (const [f, better] of Object.entries(FIELDS)) s[f] = aggregate(reps.map((m) => m[f]), better, how)
      const head = finite(reps.map((m) => (sc.kind === 'latency' ? m.p50 : m.jobsPerSec)))
      s.spread = head.length ? [Math.min(...head), Math.max(...head)] : null
      s.errors = reps.flatMap((m) => m.errors || [])
      out[sc.key][lib] = s
    }
  }
  return out
}

const RATIO_COLS = [
  ['jobs/s', (s) => s.jobsPerSec],
  ['Node CPU/job', (s) => s.nodeUsPerJob],
  ['Redis CPU/job', (s) => s.redisUsPerJob],
  ['p50', (s) => s.p50],
  ['p99', (s) => s.p99],
  ['peak RSS', (s) => s.peakRssMB],
  ['cmds/job', (s) => s.redisCmdsPerJob],
  ['bytes/job', (s) => (s.redisBytesInPerJob == null ? null : s.redisBytesInPerJob + s.redisBytesOutPerJob)],
]

const ratio = (a, b) => (a == null || b == null || !b ? null : a / b)

/** The rows of ratios lib/bullmq, one per scenario, plus the largest peak RSS over the run. */
function ratioRows(scenarios, summary, lib) {
  const rows = []
  let peak = { [lib]: null, [BASE]: null }
  for (const sc of scenarios) {
    const s = summary[sc.key]
    // A ceiling is a bare-socket replay, not the library: printed on its own (printCeilings).
    if (!s || !s[lib] || !s[BASE] || sc.ceilingOf) continue
    const cells = {}
    for (const [name, get] of RATIO_COLS) cells[name] = ratio(get(s[lib]), get(s[BASE]))
    // Latency runs at a fixed rate: its jobs/s is not a result.
    if (sc.kind === 'latency') cells['jobs/s'] = null
    rows.push({ scenario: sc.title, key: sc.key, cells })
    for (const l of [lib, BASE]) peak[l] = Math.max(peak[l] || 0, s[l].peakRssMB || 0) || null
  }
  if (rows.length) rows.push({ scenario: 'peak RSS, largest child of the run', key: 'peak-rss', cells: { 'peak RSS': ratio(peak[lib], peak[BASE]) } })
  return rows
}

function fmt(v) {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '-'
  if (typeof v === 'string') return v
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US')
  if (Math.abs(v) >= 100) return v.toFixed(0)
  if (Math.abs(v) >= 10) return v.toFixed(1)
  return v.toFixed(2)
}

const fmtRatio = (v) => (v == null ? '-' : `${v.toFixed(2)}x`)

/** Prints an aligned table: the first `left` columns left-aligned, the rest right-aligned. */
function printTable(head, cells, left = 1) {
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)))
  const line = (c) => c.map((x, i) => (i < left ? String(x).padEnd(widths[i]) : String(x).padStart(widths[i]))).join(' | ')
  console.log(line(head))
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'))
  for (const c of cells) console.log(line(c))
}

function printRatios(scenarios, summary, libs) {
  for (const lib of libs) {
    if (lib === BASE || !libs.includes(BASE)) continue
    const rows = ratioRows(scenarios, summary, lib)
    if (!rows.length) continue
    // The embedded store has no Redis: leave out the columns that would be empty.
    const cols = RATIO_COLS.map(([n]) => n).filter((n) => rows.some((r) => r.cells[n] != null))
    console.log(`\nRatios ${lib} / ${BASE} (medians; below 1.00x is better except jobs/s):`)
    printTable(['scenario', ...cols], rows.map((r) => [r.scenario, ...cols.map((c) => fmtRatio(r.cells[c]))]))
  }
}

/**
 * Each ceiling scenario (`ceilingOf`: the scenario it bounds) against what the libraries reach:
 * the replayed call's jobs/s, and the share of it each library's real scenario gets.
 */
function printCeilings(scenarios, summary, libs) {
  for (const sc of scenarios.filter((x) => x.ceilingOf && summary[x.key])) {
    const real = summary[sc.ceilingOf] || {}
    console.log(`\n${sc.title} (${sc.ceilingOf} reaches this share of it):`)
    for (const lib of libs) {
      const c = summary[sc.key][lib]
      if (!c) continue
      const r = real[lib]
      const share = r && c.jobsPerSec ? ` | ${sc.ceilingOf} ${fmt(r.jobsPerSec)} jobs/s = ${((100 * r.jobsPerSec) / c.jobsPerSec).toFixed(0)}%` : ''
      console.log(`  ${lib.padEnd(14)} ${fmt(c.jobsPerSec)} jobs/s${share}`)
    }
    const [f, b] = [summary[sc.key].ferroq, (real || {})[BASE]]
    if (f && b && f.jobsPerSec && b.jobsPerSec) {
      console.log(`  ferroq's ceiling / bullmq's ${sc.ceilingOf}: ${fmtRatio(f.jobsPerSec / b.jobsPerSec)} (the most ferroq could reach with no client code at all)`)
    }
  }
}

function printAbsolute(scenarios, summary, libs) {
  if (!scenarios.some((sc) => summary[sc.key])) return
  console.log('\nAbsolute figures (medians; jobs/s range over the repetitions; CPU in µs per job; cores = CPU share of the window):')
  const head = ['scenario', 'library', 'jobs/s', 'range', 'Node µs/job', '(JS thread)', 'Redis µs/job', 'cores N/R', 'p50 ms', 'p99 ms', 'peak RSS MB', 'cmds/job', 'bytes in/out']
  const cells = []
  for (const sc of scenarios) {
    const s = summary[sc.key]
    if (!s) continue
    let first = true
    for (const lib of libs) {
      const v = s[lib]
      if (!v) continue
      const lat = sc.kind === 'latency'
      cells.push([
        first ? sc.key : '',
        lib,
        lat ? '-' : fmt(v.jobsPerSec),
        v.spread ? `${fmt(v.spread[0])}-${fmt(v.spread[1])}${lat ? ' ms' : ''}` : '-',
        fmt(v.nodeUsPerJob),
        fmt(v.nodeMainUsPerJob),
        fmt(v.redisUsPerJob),
        `${fmt(v.nodeCpuShare)}/${fmt(v.redisCpuShare)}`,
        fmt(v.p50),
        fmt(v.p99),
        fmt(v.peakRssMB),
        fmt(v.redisCmdsPerJob),
        v.redisBytesInPerJob == null ? '-' : `${fmt(v.redisBytesInPerJob)}/${fmt(v.redisBytesOutPerJob)}`,
      ])
      first = false
    }
  }
  if (cells.length) printTable(head, cells, 2)
  for (const sc of scenarios) {
    for (const lib of libs) {
      const v = summary[sc.key] && summary[sc.key][lib]
      if (v && v.errors.length) console.log(`  errors in ${sc.key} ${lib}: ${[...new Set(v.errors)].slice(0, 3).join('; ')}`)
    }
  }
}

function printOutcomes(scenarios, results, libs) {
  for (const sc of scenarios) {
    if (sc.kind !== 'outcome' || !results[sc.key]) continue
    console.log(`\n${sc.title}:`)
    for (const lib of libs) {
      const b = (results[sc.key][lib] || [])[0]
      if (b) console.log(`  ${lib.padEnd(14)} ${b.verdict || (b.errors || []).join('; ')}`)
    }
  }
}

function printLong(scenarios, results, libs) {
  for (const sc of scenarios) {
    if (sc.kind !== 'long' || !results[sc.key]) continue
    console.log(`\n${sc.title} (RSS MB at every tenth of the run; jobs added with removeOnComplete):`)
    for (const lib of libs) {
      const m = (results[sc.key][lib] || [])[0]
      if (!m || !m.curve) continue
      const pts = m.curve.filter((_, i) => i % Math.max(1, Math.floor(m.curve.length / 10)) === 0)
      console.log(
        `  ${lib.padEnd(14)} ${fmt(m.jobsPerSec)} jobs/s | start ${fmt(m.rssStartMB)}, max ${fmt(m.rssMaxMB)}, end ${fmt(m.rssEndMB)} | ` +
          pts.map((p) => fmt(p.rssMB)).join(' '),
      )
      if (m.errors) console.log(`    errors: ${m.errors.join('; ')}`)
    }
  }
}

module.exports = { BASE, summarise, ratioRows, printRatios, printCeilings, printAbsolute, printOutcomes, printLong, printTable, fmt, median }
