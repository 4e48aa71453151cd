'use strict'
// The main module of a sandboxed processor's child, a child process or a
// worker thread (see sandbox.js for the messages). It loads the processor
// file, runs one job at a time with a job object shaped as BullMQ's
// SandboxedJob, and sends every job method call to the parent, which runs it
// on the real Job. Nothing here talks to Redis.

const { isMainThread, parentPort } = require('node:worker_threads')
const { errorToPlain } = require('./sandbox.js')

const port = isMainThread ? process : parentPort

/** Sends `msg` to the parent; resolves once it is handed over. Throws if it cannot be serialised. */
function send(msg) {
  if (!isMainThread) {
    parentPort.postMessage(msg)
    return Promise.resolve()
  }
  if (!process.connected) return Promise.resolve()
  return new Promise((resolve) => process.send(msg, () => resolve()))
}

let processor = null
let current = null
let controller = null
let nextCallId = 1
const pending = new Map()

/** Sends a job method call to the parent; resolves with its answer. */
function callParent(method, args) {
  const id = nextCallId++
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject })
    send({ cmd: 'call', id, method, args })
  })
}

async function init(target) {
  try {
    const mod = await import(target)
    let fn = mod.default
    // A transpiled `export default` arrives as module.exports.default.
    if (fn && typeof fn !== 'function' && typeof fn.default === 'function') fn = fn.default
    if (typeof fn !== 'function') throw new Error('No function is exported in processor file')
    processor = fn
    send({ cmd: 'ready' })
  } catch (err) {
    await send({ cmd: 'init-failed', error: errorToPlain(err) })
    // A child that cannot load its processor is of no use; the open channel
    // would otherwise keep it alive.
    process.exit(1)
  }
}

/** The job object the processor gets: the job's JSON plus BullMQ's SandboxedJob methods. */
function sandboxedJob(json) {
  const job = {
    ...json,
    data: JSON.parse(json.data || '{}'),
    opts: json.opts,
    returnValue: JSON.parse(json.returnvalue || 'null'),
    async updateProgress(progress) {
      await callParent('updateProgress', [progress])
      job.progress = progress
    },
    log: (row) => callParent('log', [row]),
    async updateData(data) {
      await callParent('updateData', [data])
      job.data = data
    },
    moveToDelayed: (timestamp, token) => callParent('moveToDelayed', [timestamp, token]),
    moveToWait: (token) => callParent('moveToWait', [token]),
    moveToWaitingChildren: (token, opts) => callParent('moveToWaitingChildren', [token, opts]),
    getChildrenValues: () => callParent('getChildrenValues', []),
    getIgnoredChildrenFailures: () => callParent('getIgnoredChildrenFailures', []),
    getDependenciesCount: (opts) => callParent('getDependenciesCount', [opts]),
    getDependencies: (opts) => callParent('getDependencies', [opts]),
  }
  return job
}

function start(json, token) {
  if (current) {
    send({ cmd: 'failed', error: errorToPlain(new Error('cannot start a not idling child process')) })
    return
  }
  controller = new AbortController()
  const signal = controller.signal
  current = (async () => {
    try {
      const result = await processor(sandboxedJob(json), token, signal)
      try {
        await send({ cmd: 'completed', value: result === undefined ? null : result })
      } catch (err) {
        // A result the channel cannot carry (a BigInt, a function...).
        await send({ cmd: 'failed', error: errorToPlain(err) })
      }
    } catch (err) {
      const e = err !== null && typeof err === 'object' && err.message ? err : new Error(String(err))
      await send({ cmd: 'failed', error: errorToPlain(e) })
    } finally {
      current = null
      controller = null
    }
  })()
}

/** Lets the job in hand finish, then exits. */
async function finishAndExit() {
  try {
    await current
  } finally {
    process.exit(process.exitCode || 0)
  }
}

port.on('message', (msg) => {
  switch (msg && msg.cmd) {
    case 'init':
      init(msg.target)
      break
    case 'start':
      start(msg.job, msg.token)
      break
    case 'reply': {
      const call = pending.get(msg.id)
      if (!call) break
      pending.delete(msg.id)
      if (msg.error) call.reject(Object.assign(new Error(), msg.error))
      else call.resolve(msg.value)
      break
    }
    case 'cancel':
      if (controller) controller.abort(msg.reason)
      break
    case 'stop':
      finishAndExit()
      break
  }
})

if (isMainThread) {
  process.on('SIGTERM', finishAndExit)
  process.on('SIGINT', finishAndExit)
  // The parent went away: nobody is left to report to.
  process.on('disconnect', () => process.exit(0))
}
process.on('uncaughtException', async (err) => {
  const e = err !== null && typeof err === 'object' ? err : new Error(String(err))
  try {
    await send({ cmd: 'failed', error: errorToPlain(e) })
  } finally {
    // The child's state is unknown after an uncaught exception.
    process.exit(1)
  }
})
