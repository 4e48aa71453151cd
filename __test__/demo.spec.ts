// `npm run demo` (the README's main command) runs to completion and exits by itself.
import { spawnSync } from 'node:child_process'
import * as path from 'node:path'
import { connection } from './helpers'

test('the demo drains its work, serves the admin endpoints and prints a summary', () => {
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'examples', 'demo.js')], {
    // The store under test (Redis, or memory:// with FERROQ_TEST_STORE=memory).
    env: { ...process.env, REDIS_URL: connection().url, DEMO_JOBS: '40', DEMO_QUIET: '1' },
    encoding: 'utf8',
    timeout: 60000,
  })
  expect(r.status).toBe(0)
  expect(r.stdout).toMatch(/queued 40 emails/)
  expect(r.stdout).toMatch(/emails: {3}\d+ delivered/)
  expect(r.stdout).toMatch(/learning: 12 recomputes for 12 users/)
  expect(r.stdout).toMatch(/admin \/stats: \{.*"completed":\d+.*"name":"email"/)
}, 70000)
