'use strict'
// What one measurement window costs: wall time, the Node process's CPU (all threads, from the OS),
// Redis's CPU, commands and bytes (INFO deltas, with the harness's own INFO traffic taken out).
// Used inside a child process, which loads one library only.

const fs = require('node:fs')
const { spawnSync } = require('node:child_process')
const { performance } = require('node:perf_hooks')
const { parseInfo } = require('./resp')

const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })
  const v = Number(String(r.stdout || '').trim())
  return Number.isFinite(v) && v > 0 ? v : 100
})()

/** CLOCK_MONOTONIC in µs: the clock of V8's .cpuprofile timestamps (bench/prof-top.js uses the windows). */
const monoUs = () => Number(process.hrtime.bigint() / 1000n)

/** Wall clock in ms with sub-ms precision, comparable with Date.now(). */
const nowMs = () => performance.timeOrigin + performance.now()

/** utime + stime fields of a /proc/.../stat line, in µs. */
function statCpuUs(stat) {
  // Fields after "(comm)": state is field 3, utime 14, stime 15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK
}

/** CPU time (µs) of the whole process, every thread (libuv pool, V8 GC, tokio, ...). */
function processCpuUs() {
  const u = process.cpuUsage()
  return u.user + u.system
}

/**
 * CPU time (µs) of one thread from /proc: schedstat's run time (ns, kept current to the last
 * scheduler tick), else stat's utime + stime (whole clock ticks, usually 10 ms).
 */
function threadCpuUs(pid, tid) {
  try {
    const ns = Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
    if (Number.isFinite(ns)) return ns / 1000
  } catch {
    // no schedstat in this kernel: fall back to ticks
  }
  return statCpuUs(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'))
}

/** CPU time (µs) of the main JS thread only (tid == pid). */
function mainThreadCpuUs() {
  if (typeof process.threadCpuUsage === 'function') {
    const u = process.threadCpuUsage()
    return u.user + u.system
  }
  return threadCpuUs(process.pid, process.pid)
}

/** `{ threadName: { us, ctx, threads } }` summed over a process's threads (CPU µs, context switches). */
function threadsCpu(pid = process.pid) {
  const out = {}
  let tids = []
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`)
  } catch {
    return out
  }
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const status = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8')
      const ctx = /\nvoluntary_ctxt_switches:\s+(\d+)/.exec(status)
      const nctx = /nonvoluntary_ctxt_switches:\s+(\d+)/.exec(status)
      // The main thread carries the process name; call it "main".
      const name = String(tid) === String(pid) ? 'main' : comm
      const o = (out[name] = out[name] || { us: 0, ctx: 0, threads: 0 })
      o.us += threadCpuUs(pid, tid)
      o.ctx += (ctx ? Number(ctx[1]) : 0) + (nctx ? Number(nctx[1]) : 0)
      o.threads++
    } catch {
      // the thread exited meanwhile
    }
  }
  return out
}

function threadsDelta(a, b, jobs) {
  const out = {}
  for (const [k, v] of Object.entries(b)) {
    const p = a[k] || { us: 0, ctx: 0 }
    const us = v.us - p.us
    const ctx = v.ctx - p.ctx
    if (us <= 0 && ctx <= 0) continue
    out[k] = { threads: v.threads, usPerJob: us / jobs, ctxPerJob: ctx / jobs }
  }
  return out
}

/** Peak resident set size of this process so far, in MB (getrusage ru_maxrss). */
const peakRssMB = () => process.resourceUsage().maxRSS / 1024

const rssMB = () => process.memoryUsage.rss() / (1024 * 1024)

/**
 * Measures one window. `admin` is a RespClient to the Redis under test, or null for the
 * embedded store (then every Redis figure is null). `redisPid`, when the harness started the
 * server, adds Redis's context switches from /proc.
 */
class Meter {
  constructor(admin, redisPid) {
    this.admin = admin
    this.redisPid = redisPid || null
  }

  /** One INFO ALL, with the counters of our own traffic that Redis had seen when it answered. */
  async redis() {
    if (!this.admin) return null
    const a = this.admin
    // Redis counts a command (and its input bytes) before answering, and its output bytes once
    // written: when this INFO is produced, it has seen every byte we sent including this request,
    // every reply byte we read before it, and every command we sent before it.
    const own = { bytesOut: 0, bytesIn: a.bytesIn, sent: a.sent, byName: { ...a.sentByName } }
    const reply = a.text('INFO', 'all')
    own.bytesOut = a.bytesOut
    const info = parseInfo(await reply)
    const cmd = {}
    for (const [k, v] of Object.entries(info)) {
      if (!k.startsWith('cmdstat_')) continue
      cmd[k.slice(8)] = { calls: Number(/calls=(\d+)/.exec(v)[1]), usec: Number(/usec=(\d+)/.exec(v)[1]) }
    }
    let ctx = null
    if (this.redisPid) {
      ctx = 0
      for (const t of Object.values(threadsCpu(this.redisPid))) ctx += t.ctx
    }
    return {
      cpu: (Number(info.used_cpu_sys) + Number(info.used_cpu_user)) * 1e6,
      commands: Number(info.total_commands_processed),
      netIn: Number(info.total_net_input_bytes),
      netOut: Number(info.total_net_output_bytes),
      ctx,
      cmd,
      own,
    }
  }

  clocks() {
    return { wall: nowMs(), mono: monoUs(), proc: processCpuUs(), main: mainThreadCpuUs(), threads: threadsCpu() }
  }

  /** Opens the window: Redis is read first, then the clocks start. */
  async begin() {
    const r = await this.redis()
    this.s0 = { ...this.clocks(), r }
  }

  /** Closes the window (clocks first, then Redis) and returns the figures per job. */
  async end(jobs) {
    const c = this.clocks()
    const r = await this.redis()
    return metrics(this.s0, { ...c, r }, Math.max(1, jobs))
  }
}

function redisDelta(a, b, jobs) {
  if (!a || !b) return {}
  // Our own requests and replies between the two INFOs (see Meter.redis).
  const ownIn = b.own.bytesOut - a.own.bytesOut
  const ownOut = b.own.bytesIn - a.own.bytesIn
  const ownCmds = b.own.sent - a.own.sent
  const commandstats = {}
  for (const [k, v] of Object.entries(b.cmd)) {
    const mine = (b.own.byName[k] || 0) - (a.own.byName[k] || 0)
    const calls = v.calls - ((a.cmd[k] && a.cmd[k].calls) || 0) - mine
    const usec = v.usec - ((a.cmd[k] && a.cmd[k].usec) || 0)
    if (calls <= 0) continue
    commandstats[k] = { calls, usec, callsPerJob: calls / jobs, usecPerJob: usec / jobs, usecPerCall: usec / calls }
  }
  return {
    redisUsPerJob: (b.cpu - a.cpu) / jobs,
    // total_commands_processed counts the commands a script runs too (checked on Redis 7.0).
    redisCmdsPerJob: (b.commands - a.commands - ownCmds) / jobs,
    redisBytesInPerJob: (b.netIn - a.netIn - ownIn) / jobs,
    redisBytesOutPerJob: (b.netOut - a.netOut - ownOut) / jobs,
    redisCtxSwitchesPerJob: a.ctx == null ? null : (b.ctx - a.ctx) / jobs,
    commandstats,
  }
}

function metrics(s0, s1, jobs) {
  const seconds = (s1.wall - s0.wall) / 1000
  const nulls = {
    redisUsPerJob: null,
    redisCmdsPerJob: null,
    redisBytesInPerJob: null,
    redisBytesOutPerJob: null,
    redisCtxSwitchesPerJob: null,
    commandstats: null,
  }
  return {
    jobs,
    seconds,
    jobsPerSec: jobs / seconds,
    nodeUsPerJob: (s1.proc - s0.proc) / jobs,
    nodeMainUsPerJob: (s1.main - s0.main) / jobs,
    nodeCpuShare: (s1.proc - s0.proc) / 1e6 / seconds,
    redisCpuShare: s0.r && s1.r ? (s1.r.cpu - s0.r.cpu) / 1e6 / seconds : null,
    ...nulls,
    ...redisDelta(s0.r, s1.r, jobs),
    nodeThreads: threadsDelta(s0.threads, s1.threads, jobs),
    rssEndMB: rssMB(),
    window: [s0.mono, s1.mono],
  }
}

module.exports = { Meter, nowMs, monoUs, peakRssMB, rssMB, CLK_TCK }
