// `npm run bench` end to end with tiny counts: every child runs, every job it adds is processed,
// and the result file is well-formed. Nothing here looks at a timing.
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

test('the bench harness runs each library in its own child and writes a well-formed result file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'))
  const out = path.join(dir, 'results.json')
  try {
    const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'bench', 'run.js')], {
      env: {
        ...process.env,
        BENCH_JOBS: '100',
        BENCH_REPS: '1',
        BENCH_SCENARIOS: 'add-seq,add-wire,process-c10',
        BENCH_LIBS: 'bullmq,ferroq',
        BENCH_DETAIL: '0',
        // Absolute: this path crashed the old harness (it was joined onto bench/).
        BENCH_OUT: out,
      },
      encoding: 'utf8',
      timeout: 60000,
    })
    expect(r.stderr).not.toMatch(/Error|still alive/)
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/Ratios ferroq \/ bullmq/)
    expect(r.stdout).toMatch(/ferroq's ceiling \/ bullmq's add-seq: \d/)
    const res = JSON.parse(fs.readFileSync(out, 'utf8'))
    expect(res.env.libs).toEqual(['bullmq', 'ferroq'])
    expect(res.scenarioList.map((s: { key: string }) => s.key)).toEqual(['add-seq', 'add-wire', 'process-c10'])
    const pids = new Set<number>()
    for (const lib of ['bullmq', 'ferroq']) {
      const [add] = res.scenarios['add-seq'][lib]
      expect(add.errors).toBeUndefined()
      expect(add.jobs).toBe(20)
      // The library's own add call, replayed on a bare socket: every call ran and stored a job.
      const [wire] = res.scenarios['add-wire'][lib]
      expect(wire.errors).toBeUndefined()
      expect(wire.redisCmdsPerJob).toBeGreaterThan(3)
      const [proc] = res.scenarios['process-c10'][lib]
      expect(proc.errors).toBeUndefined()
      // Prefilled by another child, processed by this one: every job started and finished.
      expect(proc.started).toBe(100)
      expect(proc.finished).toBe(100)
      for (const m of [add, wire, proc]) {
        for (const f of ['jobsPerSec', 'nodeUsPerJob', 'redisUsPerJob', 'redisCmdsPerJob', 'peakRssMB']) {
          expect(Number.isFinite(m[f])).toBe(true)
        }
        expect(m.redisCmdsPerJob).toBeGreaterThan(0)
        expect(m.window[1]).toBeGreaterThan(m.window[0])
        pids.add(m.pid)
      }
    }
    // One process per measurement.
    expect(pids.size).toBe(6)
    expect(pids.has(r.pid)).toBe(false)
    const rows = res.ratios.ferroq.map((x: { key: string }) => x.key)
    expect(rows).toEqual(['add-seq', 'process-c10', 'peak-rss'])
    expect(Number.isFinite(res.ratios.ferroq[1].cells['jobs/s'])).toBe(true)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}, 70000)
