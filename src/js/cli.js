#!/usr/bin/env node
'use strict'
// The `ferroq` command (package.json "bin"): queue counts and a few admin
// actions from a shell, through the public Queue API. Queue discovery is the
// one native helper it adds (`listQueues`, src/binding/cli.rs: a SCAN for the
// `meta` and `id` keys every queue keeps).
//
// Exit codes: 0 done, 1 failed (unknown queue, Redis error), 2 bad usage,
// 3 (stats) Redis cannot take work: out of memory, loading, or a replica.
// The Redis password never reaches the terminal: URLs are shown redacted and
// error texts are scrubbed of it.

const { parseArgs } = require('node:util')
const native = require('./native.js')
const { redisEnv } = require('./connection.js')
const { Queue } = require('./queue.js')

const USAGE = `Usage: ferroq <command> [options]

Commands:
  stats [queue...]       job counts per queue (every queue under the prefix if none is named)
                         and whether Redis can take work (exit code 3 if not)
  retry-failed <queue>   move the queue's failed jobs back to waiting
  pause <queue>          pause the queue for every worker
  resume <queue>         resume a paused queue
  clean <queue>          remove jobs in one state that finished more than --grace ms ago

Options:
  --url <url>            Redis URL (default: $REDIS_URL, else redis://127.0.0.1:6379)
  --prefix <prefix>      key prefix (default: bull)
  --watch                stats: redraw every second, with a bar per queue, until Ctrl-C
  --json                 stats: print the counts as JSON
  --status <state>       clean: completed (default), failed, wait, active, paused, delayed, prioritized
  --grace <ms>           clean: only jobs older than this (default 0)
  --limit <n>            clean: remove at most n jobs (default 0: all)
  -h, --help             show this help
`

/** The states `stats` shows, in BullMQ's names (`paused`: BullMQ's paused list). */
const COUNTED = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed', 'paused']
const CLEANABLE = ['completed', 'failed', 'wait', 'waiting', 'active', 'paused', 'delayed', 'prioritized']
const DEFAULT_URL = 'redis://127.0.0.1:6379'
const WATCH_INTERVAL_MS = 1000
const BAR_WIDTH = 40

/** Bad usage: printed with a hint to `--help`, exit code 2. */
class UsageError extends Error {}

/** A failure the user can act on (unknown queue): printed as is, exit code 1. */
class CliError extends Error {}

/** `url` with its password replaced by `***`. */
function redactUrl(url) {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return String(url).replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')
  }
}

/** Removes the password of `url` from any text before it is printed. */
function scrubber(url) {
  let secret = ''
  try {
    secret = new URL(url).password
  } catch {
    const m = /\/\/[^:@/]*:([^@/]*)@/.exec(String(url))
    secret = m ? m[1] : ''
  }
  const secrets = secret ? [secret, safeDecode(secret)] : []
  return (text) => secrets.reduce((t, s) => t.split(s).join('***'), String(text))
}

function safeDecode(s) {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

function parse(argv) {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: 'string' },
        prefix: { type: 'string' },
        watch: { type: 'boolean' },
        json: { type: 'boolean' },
        status: { type: 'string' },
        grace: { type: 'string' },
        limit: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (e) {
    throw new UsageError(e.message)
  }
  const { values, positionals } = parsed
  const [command, ...args] = positionals
  return { command, args, opts: values }
}

/** A non-negative integer option, or a usage error naming it. */
function count(opts, name, fallback) {
  const raw = opts[name]
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`--${name} must be a whole number >= 0, got "${raw}"`)
  }
  return Number(raw)
}

/** Rejects options that belong to other commands, so typos don't pass silently. */
function allowOnly(command, opts, allowed) {
  for (const k of ['watch', 'json', 'status', 'grace', 'limit']) {
    if (opts[k] !== undefined && !allowed.includes(k)) throw new UsageError(`--${k} does not apply to "${command}"`)
  }
}

function oneQueue(command, args) {
  if (args.length !== 1) throw new UsageError(`"${command}" takes exactly one queue name, got ${args.length}`)
  return args[0]
}

/** What every command needs: where Redis is, the prefix, and queue handles. */
class Context {
  constructor(opts) {
    this.url = opts.url || redisEnv().REDIS_URL || DEFAULT_URL
    if (/^memory:/i.test(this.url)) {
      throw new UsageError(
        `${redactUrl(this.url)} is an embedded store, which lives inside the process that opened it: ` +
          'this command, another process, would only see an empty store of its own; give --url (or REDIS_URL) a Redis URL',
      )
    }
    if (opts.prefix === '') throw new UsageError('--prefix must not be empty')
    this.prefix = opts.prefix || 'bull'
    this.where = `${redactUrl(this.url)} (prefix "${this.prefix}")`
    this.queues = new Map()
  }

  queue(name) {
    let q = this.queues.get(name)
    if (!q) {
      q = new Queue(name, { connection: { url: this.url }, prefix: this.prefix })
      this.queues.set(name, q)
    }
    return q
  }

  /** The Redis state: `{ usedMemory, maxmemory, outOfMemory, issues, ... }`. */
  redisHealth() {
    return native.redisHealth({ connection: { url: this.url }, prefix: this.prefix })
  }

  /** Queue names found under the prefix, or those of `names` that exist. */
  listQueues(names) {
    return native.listQueues({ connection: { url: this.url }, prefix: this.prefix }, names)
  }

  /** Checks that every named queue exists; fails naming the missing ones. */
  async requireQueues(names) {
    const found = new Set(await this.listQueues(names))
    const missing = names.filter((n) => !found.has(n))
    if (missing.length === 0) return
    const known = await this.listQueues()
    const hint = known.length ? `known queues: ${known.join(', ')}` : 'no queues exist there'
    const what = missing.length === 1 ? `unknown queue "${missing[0]}"` : `unknown queues ${missing.map((n) => `"${n}"`).join(', ')}`
    throw new CliError(`${what} at ${this.where}; ${hint}`)
  }

  async close() {
    await Promise.all([...this.queues.values()].map((q) => q.close()))
  }
}

// ---------------------------------------------------------------------------
// stats

async function readStats(ctx, names) {
  return Promise.all(
    names.map(async (name) => {
      const q = ctx.queue(name)
      const [counts, paused] = await Promise.all([q.getJobCounts(...COUNTED), q.isPaused()])
      const row = { queue: name, state: paused ? 'paused' : 'running' }
      for (const s of COUNTED) row[s] = counts[s] || 0
      return row
    }),
  )
}

function table(rows) {
  const head = ['QUEUE', 'STATE', ...COUNTED.map((s) => s.toUpperCase())]
  const cells = rows.map((r) => [r.queue, r.state, ...COUNTED.map((s) => String(r[s]))])
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)))
  // Names and states left-aligned, numbers right-aligned.
  const line = (c) => c.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ').trimEnd()
  return [line(head), ...cells.map(line)].join('\n')
}

/**
 * One bar per queue for the jobs not yet finished, scaled to the largest
 * backlog shown: `#` active, `=` waiting (incl. prioritized and paused), `-` delayed.
 */
function bars(rows) {
  const parts = (r) => [
    ['#', r.active],
    ['=', r.waiting + r.prioritized + r.paused],
    ['-', r.delayed],
  ]
  const total = (r) => parts(r).reduce((a, [, n]) => a + n, 0)
  const max = Math.max(1, ...rows.map(total))
  const nameWidth = Math.max(...rows.map((r) => r.queue.length))
  const lines = rows.map((r) => {
    // A non-zero part always gets at least one character.
    const bar = parts(r)
      .map(([ch, n]) => ch.repeat(n === 0 ? 0 : Math.max(1, Math.round((n / max) * BAR_WIDTH))))
      .join('')
    return `${r.queue.padEnd(nameWidth)}  |${bar.padEnd(BAR_WIDTH)}| ${total(r)}`
  })
  return [...lines, `${' '.repeat(nameWidth)}   # active  = waiting  - delayed`].join('\n')
}

async function namesFor(ctx, args) {
  if (args.length) {
    await ctx.requireQueues(args)
    return args
  }
  return ctx.listQueues()
}

/** One line on the Redis itself: healthy with its memory use, or what is wrong. */
function redisLine(h) {
  if (h.issues.length > 0) return `redis: UNHEALTHY: ${h.issues.join(' ')}`
  const mb = (n) => `${(n / (1024 * 1024)).toFixed(1)} MB`
  const limit = h.maxmemory > 0 ? ` of maxmemory ${mb(h.maxmemory)} (${h.maxmemoryPolicy})` : ''
  return `redis: healthy, ${mb(h.usedMemory)} used${limit}`
}

async function stats(ctx, args, opts) {
  if (opts.watch && opts.json) throw new UsageError('--watch and --json cannot be combined')
  if (opts.watch) return watch(ctx, args)
  const names = await namesFor(ctx, args)
  const [rows, health] = await Promise.all([readStats(ctx, names), ctx.redisHealth()])
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
    // The rows stay the whole of stdout; what is wrong with Redis goes to stderr.
    if (health.issues.length > 0) process.stderr.write(`ferroq: ${redisLine(health)}\n`)
  } else if (rows.length === 0) {
    process.stdout.write(`no queues at ${ctx.where}\n${redisLine(health)}\n`)
  } else {
    process.stdout.write(`${table(rows)}\n\n${redisLine(health)}\n`)
  }
  return health.issues.length > 0 ? 3 : 0
}

/** Redraws the stats every second until SIGINT; rediscovers queues each time when none were named. */
async function watch(ctx, args) {
  if (args.length) await ctx.requireQueues(args)
  const clear = process.stdout.isTTY ? '\x1b[2J\x1b[H' : ''
  let timer
  let stopping = false
  const frame = async () => {
    let body
    try {
      const [rows, health] = await Promise.all([readStats(ctx, args.length ? args : await ctx.listQueues()), ctx.redisHealth()])
      const redis = redisLine(health)
      body = rows.length ? `${table(rows)}\n\n${bars(rows)}\n\n${redis}` : `no queues at ${ctx.where}\n${redis}`
    } catch (e) {
      // Keep watching through a Redis outage; the next frame may succeed.
      body = `refresh failed: ${ctx.scrub(e && e.message)}`
    }
    if (stopping) return
    const now = new Date().toTimeString().slice(0, 8)
    process.stdout.write(`${clear}ferroq stats  ${ctx.where}  ${now}  (Ctrl-C to stop)\n\n${body}\n\n`)
    timer = setTimeout(frame, WATCH_INTERVAL_MS)
  }
  await new Promise((resolve) => {
    process.once('SIGINT', () => {
      stopping = true
      clearTimeout(timer)
      resolve()
    })
    frame()
  })
}

// ---------------------------------------------------------------------------
// Admin actions

async function retryFailed(ctx, args) {
  const name = oneQueue('retry-failed', args)
  await ctx.requireQueues([name])
  const q = ctx.queue(name)
  const before = await q.getFailedCount()
  await q.retryJobs({ state: 'failed' })
  const after = await q.getFailedCount()
  process.stdout.write(`queue "${name}": ${Math.max(0, before - after)} failed job(s) moved back to waiting\n`)
}

async function pause(ctx, args) {
  const name = oneQueue('pause', args)
  await ctx.requireQueues([name])
  await ctx.queue(name).pause()
  process.stdout.write(`queue "${name}" paused\n`)
}

async function resume(ctx, args) {
  const name = oneQueue('resume', args)
  await ctx.requireQueues([name])
  await ctx.queue(name).resume()
  process.stdout.write(`queue "${name}" resumed\n`)
}

async function clean(ctx, args, opts) {
  const name = oneQueue('clean', args)
  const status = opts.status || 'completed'
  if (!CLEANABLE.includes(status)) throw new UsageError(`--status must be one of ${CLEANABLE.join(', ')}; got "${status}"`)
  const grace = count(opts, 'grace', 0)
  const limit = count(opts, 'limit', 0)
  await ctx.requireQueues([name])
  const ids = await ctx.queue(name).clean(grace, limit, status)
  process.stdout.write(`queue "${name}": removed ${ids.length} ${status} job(s)\n`)
}

const COMMANDS = {
  stats: { run: stats, options: ['watch', 'json'] },
  'retry-failed': { run: retryFailed, options: [] },
  pause: { run: pause, options: [] },
  resume: { run: resume, options: [] },
  clean: { run: clean, options: ['status', 'grace', 'limit'] },
}

async function main(argv) {
  let ctx
  let scrub = (t) => String(t)
  try {
    const { command, args, opts } = parse(argv)
    if (opts.help || command === 'help') {
      process.stdout.write(USAGE)
      return 0
    }
    if (!command) throw new UsageError('no command given')
    const cmd = COMMANDS[command]
    if (!cmd) throw new UsageError(`unknown command "${command}"`)
    allowOnly(command, opts, cmd.options)
    ctx = new Context(opts)
    scrub = scrubber(ctx.url)
    ctx.scrub = scrub
    return (await cmd.run(ctx, args, opts)) || 0
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`ferroq: ${e.message}\nRun "ferroq --help" for usage.\n`)
      return 2
    }
    const where = ctx && !(e instanceof CliError) ? ` (${ctx.where})` : ''
    const code = e && e.code ? ` [${e.code}]` : ''
    process.stderr.write(`ferroq: ${scrub(e && e.message ? e.message : e)}${code}${where}\n`)
    return 1
  } finally {
    if (ctx) await ctx.close().catch(() => {})
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code))
}

module.exports = { main, redactUrl }
