#!/usr/bin/env node
'use strict'
// `npm test`: the engine's cargo tests and the main Jest suite, on both stores
// when this machine can run Redis (redis-server on PATH, or REDIS_URL), and on
// the embedded store (memory://) alone when it cannot, saying what it skipped.
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { REDIS_ONLY_SUITES, REDIS_ONLY_CARGO, REDIS_ONLY_PARTS, hasRedis, redisOnlyTests } = require('./stores')

const ROOT = path.join(__dirname, '..', '..')
const jest = path.join(ROOT, 'node_modules', '.bin', 'jest')

function run(title, cmd, args, env = {}) {
  console.log(`\n== ${title}`)
  const started = Date.now()
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } })
  if (r.error) throw r.error
  const took = `${Math.round((Date.now() - started) / 1000)} s`
  if (r.status !== 0) {
    console.error(`\n${title}: failed (exit ${r.status}, ${took})`)
    process.exit(r.status || 1)
  }
  console.log(`== ${title}: passed in ${took}`)
}

function skippedReport() {
  const lines = [
    'Skipped because no Redis is available (redis-server is not on PATH and REDIS_URL is unset):',
    ...Object.entries(REDIS_ONLY_CARGO).map(([m, why]) => `  cargo: ${m} (${why})`),
    '         (the other engine tests ran on memory:// instead of Redis)',
    ...Object.entries(REDIS_ONLY_SUITES).map(([f, why]) => `  jest:  ${f} (${why})`),
    ...REDIS_ONLY_PARTS.map((p) => `  jest:  ${p}`),
    ...redisOnlyTests().map((t) => `  jest:  ${t}`),
    'To run them: install redis-server (Debian/Ubuntu: sudo apt-get install redis-server)',
    'or point REDIS_URL at a Redis you can flush, then run npm test again.',
  ]
  return lines.join('\n')
}

/** cargo test's arguments leaving out the modules that need a redis-server. */
const skipRedisOnly = Object.keys(REDIS_ONLY_CARGO).flatMap((m) => ['--skip', m])

if (hasRedis()) {
  run('cargo test (engine on Redis, embedded store against redis-server)', 'cargo', ['test'])
  run('cargo test on memory:// (engine tests on the embedded store)', 'cargo', ['test', 'engine::tests::', '--', ...skipRedisOnly], {
    FERROQ_TEST_STORE: 'memory',
  })
  run('jest on Redis', jest, [])
  run('jest on memory://', jest, [], { FERROQ_TEST_STORE: 'memory' })
} else {
  console.log(`No Redis here: running everything the embedded store (memory://) can run.\n${skippedReport()}`)
  run('cargo test on memory://', 'cargo', ['test', '--', ...skipRedisOnly], { FERROQ_TEST_STORE: 'memory' })
  run('jest on memory://', jest, [], { FERROQ_TEST_STORE: 'memory' })
  console.log(`\nPassed on memory://.\n${skippedReport()}`)
}
