'use strict'
// One measurement, in a process of its own that loads one library only (started by bench/run.js).
//
//   node bench/child.js '<spec JSON>'
//
// spec: { mode, lib, redis: { host, port, url, pid }, out, fn?, params?, warm?, holdMs?, label? }
//   mode "measure"  warm-up (another queue, untimed), then the scenario's timed window
//   mode "prefill"  fills queues for a process scenario: params.fill = [[queue, jobs], ...]
//   mode "feed"     keeps a queue topped up for the long RSS run
//   mode "probe"    reports the library's version and whether it can run (the embedded store)
// The result (JSON) is written to spec.out; the parent reads it after this process exits.

const fs = require('node:fs')
const { loadLib, usesRedis } = require('./libs')
const { Meter, peakRssMB } = require('./measure')
const { RespClient } = require('./resp')
const { openQueue, fillQueue, sleep } = require('./scenarios/queues')
const add = require('./scenarios/add')
const { processJobs } = require('./scenarios/process')
const { latency } = require('./scenarios/latency')
const { blocked } = require('./scenarios/blocked')
const { feed, rssLong } = require('./scenarios/long')
const { addWire } = require('./scenarios/wire')

const SCENARIO_FNS = { ...add, addWire, processJobs, latency, blocked, rssLong }

/** A meter that measures nothing: the warm-up runs the scenario code without a window. */
const NO_METER = { begin: async () => {}, end: async () => ({}) }

async function measure(spec, lib, admin) {
  const fn = SCENARIO_FNS[spec.fn]
  if (!fn) throw new Error(`unknown scenario function ${spec.fn}`)
  const redis = spec.redis
  if (spec.warm) await fn({ lib, admin, redis, meter: NO_METER, hold: async () => {} }, spec.warm)
  const hold = async () => {
    if (!spec.holdMs) return
    console.log(`  [hold] ${spec.label}: pid ${process.pid}, window opens in ${spec.holdMs} ms`)
    await sleep(spec.holdMs)
  }
  const meter = new Meter(admin, spec.redis && spec.redis.pid)
  const m = await fn({ lib, admin, redis, meter, hold }, spec.params)
  m.peakRssMB = peakRssMB()
  m.pid = process.pid
  return m
}

/** Can this library run here? For the embedded store: does the built addon accept memory://? */
async function probe(lib) {
  const out = { version: lib.version, ok: true }
  if (lib.name !== 'ferroq-memory') return out
  try {
    const q = await openQueue({ lib }, 'bench-probe')
    await q.add('j', { i: 0 })
    const counts = await q.getJobCounts('waiting')
    await q.close()
    if (counts.waiting !== 1) throw new Error(`added one job, queue counts ${JSON.stringify(counts)}`)
  } catch (e) {
    out.ok = false
    out.reason = `${e.code ? `${e.code}: ` : ''}${e.message}`
  }
  return out
}

async function main() {
  const spec = JSON.parse(process.argv[2])
  const lib = loadLib(spec.lib, spec.redis)
  const admin = usesRedis(spec.lib) && spec.mode !== 'probe' ? await RespClient.connect(spec.redis.port, spec.redis.host) : null
  let result
  try {
    switch (spec.mode) {
      case 'measure':
        result = await measure(spec, lib, admin)
        break
      case 'prefill':
        for (const [queue, jobs] of spec.params.fill) {
          const q = await openQueue({ lib }, queue)
          await fillQueue(q, jobs)
          await q.close()
        }
        result = { ok: true }
        break
      case 'feed':
        result = await feed({ lib }, spec.params)
        break
      case 'probe':
        result = await probe(lib)
        break
      default:
        throw new Error(`unknown mode ${spec.mode}`)
    }
  } finally {
    if (admin) admin.close()
  }
  fs.writeFileSync(spec.out, JSON.stringify(result))
  // Everything is closed, so the process should exit by itself; if a library keeps a handle
  // open, say so and leave anyway (the result is written).
  setTimeout(() => {
    console.error(`  [child] ${spec.label || spec.mode}: still alive 5 s after the end; open handles:`, process.getActiveResourcesInfo())
    process.exit(0)
  }, 5000).unref()
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
