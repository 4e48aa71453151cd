'use strict'
// Starts a private redis-server on a free loopback port (no persistence) and
// stops it by pid. Shared by Jest's global setup, the bench and the demo.
const { spawn, spawnSync } = require('node:child_process')
const net = require('node:net')

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address()
      srv.close(() => resolve(port))
    })
  })
}

function ping(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    s.setTimeout(500)
    s.on('connect', () => s.write('PING\r\n'))
    s.on('data', (d) => {
      s.destroy()
      resolve(d.toString().startsWith('+PONG'))
    })
    s.on('error', () => resolve(false))
    s.on('timeout', () => {
      s.destroy()
      resolve(false)
    })
  })
}

/** Starts redis-server; resolves { url, port, pid, stop() }. Extra args are appended. */
async function startRedis(extraArgs = []) {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' })
  if (found.error) {
    throw new Error('redis-server not found on PATH: install it (Debian/Ubuntu: sudo apt-get install redis-server) or set REDIS_URL')
  }
  const port = await freePort()
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs],
    { stdio: 'ignore', detached: false },
  )
  const deadline = Date.now() + 10000
  while (!(await ping(port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server did not start on port ${port}`)
    await new Promise((r) => setTimeout(r, 20))
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        process.kill(child.pid, 'SIGTERM')
      }),
  }
}

module.exports = { startRedis, freePort, ping }
