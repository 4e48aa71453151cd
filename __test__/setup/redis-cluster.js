'use strict'
// Starts a local Redis Cluster (3 masters + 3 replicas) on free loopback ports,
// each node in its own temp dir, and stops every node by pid.
const { spawn, execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { freePort, ping } = require('./redis-server')

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function cli(port, ...args) {
  return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' })
}

async function startCluster({ masters = 3, replicasPerMaster = 1 } = {}) {
  const total = masters * (1 + replicasPerMaster)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferroq-cluster-'))
  const nodes = []
  for (let i = 0; i < total; i++) {
    const port = await freePort()
    const nodeDir = path.join(dir, String(port))
    fs.mkdirSync(nodeDir)
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', '2000', '--dir', nodeDir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'],
      { stdio: 'ignore' },
    )
    nodes.push({ port, pid: child.pid, child })
  }
  for (const n of nodes) {
    const deadline = Date.now() + 10000
    while (!(await ping(n.port))) {
      if (Date.now() > deadline) throw new Error(`cluster node on ${n.port} did not start`)
      await sleep(20)
    }
  }
  execFileSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`),
    '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'], { stdio: 'ignore' })
  const deadline = Date.now() + 20000
  const replicas = masters * replicasPerMaster
  for (;;) {
    // Ready = every node sees the cluster ok, every replica attached, and each
    // replica's link to its master up (so a failover can promote it).
    const ok = nodes.every((n) => {
      if (!/cluster_state:ok/.test(cli(n.port, 'CLUSTER', 'INFO'))) return false
      const slaves = cli(n.port, 'CLUSTER', 'NODES').split('\n').filter((l) => / slave /.test(l) || /,slave /.test(l))
      return slaves.length === replicas
    }) && nodes.every((n) => {
      const info = cli(n.port, 'INFO', 'replication')
      return /role:master/.test(info) || /master_link_status:up/.test(info)
    })
    if (ok) break
    if (Date.now() > deadline) throw new Error('cluster did not reach cluster_state:ok')
    await sleep(100)
  }
  const stopNode = (n) =>
    new Promise((resolve) => {
      if (n.child.exitCode !== null || n.child.signalCode !== null) return resolve()
      n.child.once('exit', () => resolve())
      process.kill(n.pid, 'SIGKILL')
    })
  return {
    nodes,
    urls: nodes.map((n) => `redis://127.0.0.1:${n.port}`),
    cli,
    /** The node currently master of the slot of `key`. */
    masterFor(key) {
      const slot = Number(cli(nodes[0].port, 'CLUSTER', 'KEYSLOT', key).trim())
      const lines = cli(nodes[0].port, 'CLUSTER', 'NODES').trim().split('\n')
      for (const line of lines) {
        const f = line.split(' ')
        if (!f[2].includes('master') || f[2].includes('fail')) continue
        for (const range of f.slice(8)) {
          const [a, b] = range.split('-').map(Number)
          if (slot >= a && slot <= (b === undefined ? a : b)) {
            const port = Number(f[1].split(':')[1].split('@')[0])
            return nodes.find((n) => n.port === port)
          }
        }
      }
      return undefined
    },
    stopNode,
    async stop() {
      await Promise.all(nodes.map(stopNode))
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

module.exports = { startCluster }
