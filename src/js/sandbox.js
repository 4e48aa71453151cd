'use strict'
// Sandboxed processors, as BullMQ runs them: a processor given as a file path
// or a file URL runs in a child process (or, with `useWorkerThreads`, a worker
// thread) started from src/js/sandbox-child.js. The parent keeps a pool of
// children per worker, one per job in flight, reused across jobs. The job goes
// to the child as JSON; what the child's job object does (updateProgress, log,
// updateData, moveToDelayed, ...) comes back as a call that the parent runs
// on the real Job and answers, so Redis is only ever touched by the parent.
//
// Messages (all plain objects):
//   parent -> child  { cmd: 'init', target }      load the processor module
//                    { cmd: 'start', job, token } run one job
//                    { cmd: 'reply', id, value } / { cmd: 'reply', id, error }
//                    { cmd: 'cancel', reason }    abort the job's signal
//                    { cmd: 'stop' }              finish the job, then exit (threads)
//   child -> parent  { cmd: 'ready' } / { cmd: 'init-failed', error }
//                    { cmd: 'call', id, method, args }
//                    { cmd: 'completed', value } / { cmd: 'failed', error }

const fs = require('node:fs')
const path = require('node:path')
const { EventEmitter } = require('node:events')
const { fork } = require('node:child_process')
const { pathToFileURL } = require('node:url')
const { FerroqError } = require('./errors.js')

const CHILD_MAIN = path.join(__dirname, 'sandbox-child.js')
/** File types BullMQ takes as they are; any other path gets `.js` appended. */
const PROCESSOR_EXTENSIONS = ['.js', '.ts', '.flow', '.cjs', '.mjs']
/** Job methods the child's job may call, run on the parent's Job. */
const CALLABLE = new Set([
  'updateProgress',
  'log',
  'updateData',
  'moveToDelayed',
  'moveToWait',
  'moveToWaitingChildren',
  'getChildrenValues',
  'getIgnoredChildrenFailures',
  'getDependenciesCount',
  'getDependencies',
])
/** How long a closing pool waits for a child to finish its job before killing it. */
const CHILD_EXIT_GRACE_MS = 30000

const isUrl = (p) => p !== null && typeof p === 'object' && typeof p.href === 'string' && typeof p.protocol === 'string'

/** Whether `processor` names a processor file (a path or a URL) rather than a function. */
function isProcessorFile(processor) {
  return typeof processor === 'string' || isUrl(processor)
}

/**
 * The module URL a child imports for a processor path or URL, checked the way
 * BullMQ checks it (with BullMQ's messages). A relative path is taken from the
 * current directory, where the existence check looks.
 */
function processorTarget(processor) {
  if (isUrl(processor)) {
    if (!fs.existsSync(processor)) {
      throw new FerroqError('ERR_FERROQ_INVALID_OPTION', `URL ${processor} does not exist in the local file system`)
    }
    return processor.href
  }
  const file = PROCESSOR_EXTENSIONS.includes(path.extname(processor)) ? processor : `${processor}.js`
  if (!fs.existsSync(file)) throw new FerroqError('ERR_FERROQ_INVALID_OPTION', `File ${file} does not exist`)
  return pathToFileURL(path.resolve(file)).href
}

/** The parent's own exec flags for a child; debugger flags get a free port each. */
function childExecArgv() {
  return process.execArgv.map((arg) => (arg.startsWith('--inspect') ? `${arg.split('=')[0]}=0` : arg))
}

/** Error fields that cross to the other side: every own property that survives JSON. */
function errorToPlain(err) {
  if (err === null || typeof err !== 'object') return { message: String(err) }
  const out = {}
  for (const key of Object.getOwnPropertyNames(err)) {
    const v = err[key]
    if (v === undefined || typeof v === 'function') continue
    try {
      out[key] = JSON.parse(JSON.stringify(v))
    } catch {
      out[key] = String(v)
    }
  }
  if (out.message === undefined) out.message = String(err.message)
  return out
}

/** An Error carrying the fields a child sent (name, message, stack, code, ...). */
function errorFromPlain(plain) {
  return Object.assign(new Error(), plain)
}

/** One child process or worker thread that runs one job at a time. */
class Child extends EventEmitter {
  constructor(opts) {
    super()
    this.exited = false
    if (opts.useWorkerThreads) {
      const { Worker: Thread } = require('node:worker_threads')
      this.thread = new Thread(CHILD_MAIN, { execArgv: childExecArgv(), stdout: true, stderr: true, ...(opts.workerThreadsOptions || {}) })
      this.port = this.thread
    } else {
      this.proc = fork(CHILD_MAIN, [], { execArgv: childExecArgv(), stdio: 'pipe', ...(opts.workerForkOptions || {}) })
      this.port = this.proc
    }
    // The child's output is the app's output, as with BullMQ.
    if (this.port.stdout) this.port.stdout.pipe(process.stdout)
    if (this.port.stderr) this.port.stderr.pipe(process.stderr)
    this.port.on('message', (msg) => this.emit('message', msg))
    this.port.on('error', (err) => this.emit('child-error', err))
    this.port.on('exit', (code, signal) => {
      this.exited = true
      this.emit('exit', code, signal === undefined ? null : signal)
    })
  }

  send(msg) {
    if (this.exited) return
    if (this.proc) {
      if (this.proc.connected) this.proc.send(msg)
    } else {
      this.thread.postMessage(msg)
    }
  }

  /** Loads the processor module in the child; rejects with the child's load error. */
  init(target) {
    return new Promise((resolve, reject) => {
      const done = () => {
        this.off('message', onMessage)
        this.off('exit', onExit)
        this.off('child-error', onError)
      }
      const onMessage = (msg) => {
        if (msg.cmd === 'ready') {
          done()
          resolve()
        } else if (msg.cmd === 'init-failed') {
          done()
          reject(errorFromPlain(msg.error))
        }
      }
      const onExit = (code, signal) => {
        done()
        reject(new Error(`Error initializing child: exit code ${code} and signal ${signal}`))
      }
      const onError = (err) => {
        done()
        reject(err)
      }
      this.on('message', onMessage)
      this.on('exit', onExit)
      this.on('child-error', onError)
      this.send({ cmd: 'init', target })
    })
  }

  /** Asks the child to finish its job and exit; kills it after `graceMs`. Resolves on exit. */
  stop(graceMs) {
    if (this.exited) return Promise.resolve()
    const exited = new Promise((resolve) => this.once('exit', resolve))
    if (this.proc) this.proc.kill('SIGTERM')
    else this.thread.postMessage({ cmd: 'stop' })
    const timer = setTimeout(() => {
      if (this.proc) this.proc.kill('SIGKILL')
      else this.thread.terminate()
    }, graceMs)
    return exited.finally(() => clearTimeout(timer))
  }
}

/** Runs one job in `child`: answers its calls, resolves with its result. */
function runInChild(child, job, token, signal) {
  return new Promise((resolve, reject) => {
    let onAbort
    const finish = () => {
      child.off('message', onMessage)
      child.off('exit', onExit)
      if (signal && onAbort) signal.removeEventListener('abort', onAbort)
    }
    const onMessage = (msg) => {
      switch (msg && msg.cmd) {
        case 'completed':
          finish()
          resolve(msg.value)
          break
        case 'failed':
          finish()
          reject(errorFromPlain(msg.error))
          break
        case 'call':
          answerCall(child, job, msg)
          break
      }
    }
    const onExit = (code, sig) => {
      finish()
      reject(new Error(`Unexpected exit code: ${code} signal: ${sig}`))
    }
    child.on('message', onMessage)
    child.on('exit', onExit)
    child.send({ cmd: 'start', job: job.asJSONSandbox(), token })
    // After 'start': a job cancelled while its child was starting is cancelled in it at once.
    if (signal) {
      onAbort = () => child.send({ cmd: 'cancel', reason: signal.reason === undefined ? undefined : String(signal.reason) })
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, { once: true })
    }
  })
}

function answerCall(child, job, msg) {
  const { id, method, args } = msg
  let result
  try {
    if (!CALLABLE.has(method) || typeof job[method] !== 'function') {
      throw new TypeError(`job.${method} is not a function`)
    }
    result = Promise.resolve(job[method](...(Array.isArray(args) ? args : [])))
  } catch (err) {
    result = Promise.reject(err)
  }
  result.then(
    (value) => child.send({ cmd: 'reply', id, value: value === undefined ? null : value }),
    (err) => child.send({ cmd: 'reply', id, error: errorToPlain(err) }),
  )
}

/**
 * A processor function that runs `processor` (a path or URL) in children:
 * `{ processFn(job, token, signal), close() }`. Throws at once, with BullMQ's
 * message, when the file does not exist.
 */
function createSandbox(processor, opts = {}) {
  const target = processorTarget(processor)
  const free = []
  const all = new Set()
  let closed = false

  async function acquire() {
    while (free.length > 0) {
      const child = free.pop()
      if (!child.exited) return child
    }
    const child = new Child(opts)
    all.add(child)
    child.once('exit', () => all.delete(child))
    try {
      await child.init(target)
    } catch (err) {
      child.stop(0)
      throw err
    }
    return child
  }

  async function processFn(job, token, signal) {
    const child = await acquire()
    try {
      return await runInChild(child, job, token, signal)
    } finally {
      if (!child.exited) {
        if (closed) child.stop(CHILD_EXIT_GRACE_MS)
        else free.push(child)
      }
    }
  }

  /** Stops every child (each finishes the job it has first). */
  async function close() {
    closed = true
    free.length = 0
    await Promise.all([...all].map((c) => c.stop(CHILD_EXIT_GRACE_MS)))
  }

  return { processFn, close }
}

module.exports = { createSandbox, isProcessorFile, errorToPlain }
