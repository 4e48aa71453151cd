'use strict'
// The two stores the main Jest suite runs on: Redis (a private redis-server,
// or REDIS_URL) and ferroq's embedded store (FERROQ_TEST_STORE=memory). Shared
// by jest.config.js (which suites to leave out on memory://) and `npm test`.
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const ROOT = path.join(__dirname, '..', '..')

/**
 * Spec files (or folders, ending in '/') that need a real Redis, and why: they talk to the same data
 * through another client (bullmq, ioredis, bull-board) or from another process
 * (the CLI, example processes, an installed tarball), and an in-process store
 * is visible to neither.
 */
const REDIS_ONLY_SUITES = {
  '__test__/compat/': 'bullmq, bull-board or ioredis on the same data',
  '__test__/cli.spec.ts': 'the CLI runs as another process',
  '__test__/security.spec.ts': "Redis's own passwords, ACL users and TLS",
  '__test__/redis-errors.spec.ts': "Redis's own error states (loading, busy script, read-only replica)",
  '__test__/redis-full.spec.ts': "a Redis at its maxmemory (OOM replies)",
  '__test__/examples/lesson-generation.spec.ts': 'producer and worker are separate processes',
  '__test__/package/npm-pack.spec.ts': 'the installed package runs in other processes',
  '__test__/bench-smoke.spec.ts': 'the bench runs bullmq and ferroq on a redis-server of its own',
}

/**
 * cargo test modules that need a redis-server of their own (`PrivateServer`) or
 * compare the embedded store with one, and why; left out of the memory:// runs.
 */
const REDIS_ONLY_CARGO = {
  'engine::memory::tests::big_args': 'compares long ARGV, replies and unpack on the embedded store with redis-server',
  'engine::memory::tests::differential': 'compares the embedded store with redis-server',
  'engine::tests::redis_errors': "Redis's own error states on a private redis-server",
  'engine::tests::redis_full': 'a private redis-server at its maxmemory',
  'engine::tests::script_cache': 'SCRIPT FLUSH on a private redis-server',
}

/** Parts of suites that run on memory:// without their Redis half. */
const REDIS_ONLY_PARTS = [
  '__test__/api/: the bullmq 6.7.0 half of each parity spec (the same body, run on bullmq)',
  '__test__/sandbox.spec.ts: the bullmq half of the cancelJob comparison',
]

/** Whether this machine can run the Redis side: REDIS_URL, or redis-server on PATH. */
function hasRedis() {
  if (process.env.REDIS_URL) return true
  return !spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error
}

/** The tests and groups marked `testRedisOnly('name', ...)` / `describeRedisOnly(...)` in the main suite. */
function redisOnlyTests() {
  const out = []
  const walk = (dir) => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, e.name)
      if (e.isDirectory()) {
        if (e.name !== 'faults' && e.name !== 'cluster') walk(rel)
      } else if (e.name.endsWith('.spec.ts') && !Object.keys(REDIS_ONLY_SUITES).some((s) => rel.startsWith(s))) {
        const src = fs.readFileSync(path.join(ROOT, rel), 'utf8')
        for (const m of src.matchAll(/(?:test|describe)RedisOnly\(\s*(['"`])(.*?)\1/g)) out.push(`${rel}: ${m[2]}`)
      }
    }
  }
  walk('__test__')
  return out
}

module.exports = { REDIS_ONLY_SUITES, REDIS_ONLY_CARGO, REDIS_ONLY_PARTS, hasRedis, redisOnlyTests }
