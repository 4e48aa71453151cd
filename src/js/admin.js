'use strict'
// createAdminHandler: the email-queue seed app's admin endpoints
// (`/api/admin/queues/...`) as one `(req, res, next?)` handler for Express or
// node:http. Routing, parameter checks and every queue call happen in Rust
// (src/presets/admin.rs through NativeAdmin); this file runs `authorize`, reads
// the body and writes the reply.
//
// Paths: the handler routes on `req.url`. Express's `router.use('/admin/queues',
// handler)` already makes it relative to the mount point, so no option is
// needed there. A node:http server sees the full path: pass `basePath`
// ('/admin/queues'), which is removed from paths that start with it, so
// `/admin/queues/health` and `/health` reach the same route.
//
// Who may call: `authorize(req)` resolving `true` lets the request through.
// Resolving 'unauthenticated', or throwing an error whose `status` (or
// `statusCode`) is 401, answers 401; such an error with 403 answers 403. Any
// other answer refuses: 401 when the request carries no credentials at all (no
// Authorization and no Cookie header), else 403. Other errors go to `next(err)`
// under Express, or answer 500.

const { NativeAdmin } = require('./native.js')
const { invalid, callNative } = require('./errors.js')
const { checkFinite } = require('./convert.js')

/** The largest request body read (1 MiB); a bigger one is answered 413. */
const MAX_BODY_BYTES = 1024 * 1024
/** Methods whose body is read (the routes only use POST bodies; DELETE may carry one). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const TOO_LARGE = Symbol('body too large')

/**
 * Builds the handler. `queues`: ferroq Queue instances as an array, a Map or an
 * object (keys are ignored: routes use each queue's `name`).
 */
function createAdminHandler(options) {
  if (!options || typeof options !== 'object') throw invalid('options', 'must be { queues, authorize, healthThresholds?, basePath? }')
  const { queues, authorize, healthThresholds, basePath } = options
  if (typeof authorize !== 'function') {
    throw invalid('authorize', 'is required: a function (req) => boolean | Promise<boolean> that admits admins only')
  }
  const list = Array.isArray(queues) ? queues : queues instanceof Map ? [...queues.values()] : queues && typeof queues === 'object' ? Object.values(queues) : null
  if (!list) throw invalid('queues', 'must be an array (or a Map or object) of ferroq Queue instances')
  // The bare native handles: the admin shares each queue's connection.
  const handles = list.map((q, i) => {
    if (!q || typeof q !== 'object' || !q._handle) throw invalid(`queues[${i}]`, 'must be a ferroq Queue')
    return q._handle
  })
  // NaN or Infinity would reach Rust as null ("not given").
  if (healthThresholds && typeof healthThresholds === 'object') checkFinite(healthThresholds, 'healthThresholds')
  const admin = callNative(() => new NativeAdmin(handles, JSON.stringify({ basePath, healthThresholds })))

  return function adminHandler(req, res, next) {
    return serve(admin, authorize, req, res).catch((err) => {
      if (typeof next === 'function') return next(err)
      if (!res.headersSent) return send(res, 500, failure('internal error'))
      res.destroy(err)
    })
  }
}

async function serve(admin, authorize, req, res) {
  const verdict = await verdictOf(authorize, req)
  if (verdict === 401) return send(res, 401, failure('authentication required'))
  if (verdict === 403) return send(res, 403, failure('admin access required'))
  const method = String(req.method || 'GET').toUpperCase()
  let body = null
  if (BODY_METHODS.has(method)) {
    body = await bodyText(req)
    if (body === TOO_LARGE) {
      // The rest of the body is not read; closing is the only clean end.
      res.setHeader('Connection', 'close')
      return send(res, 413, failure(`the body is larger than ${MAX_BODY_BYTES} bytes`))
    }
  }
  const reply = await callNative(() => admin.handle(method, req.url || '/', body))
  if (reply.allow) res.setHeader('Allow', reply.allow)
  send(res, reply.status, reply.body)
}

/** 'allow', 401 or 403 (see the rule at the top of this file). */
async function verdictOf(authorize, req) {
  let answer
  try {
    answer = await authorize(req)
  } catch (err) {
    const status = err && (err.status || err.statusCode)
    if (status === 401 || status === 403) return status
    throw err
  }
  if (answer === true) return 'allow'
  if (answer === 'unauthenticated') return 401
  const headers = req.headers || {}
  return headers.authorization || headers.cookie ? 403 : 401
}

/**
 * The body as text (null when there is none), or TOO_LARGE. When a body parser
 * (express.json() and the like) already consumed the stream, its `req.body` is used.
 */
function bodyText(req) {
  if (req.readableEnded) return Promise.resolve(textOf(req.body))
  if (Number(req.headers && req.headers['content-length']) > MAX_BODY_BYTES) return Promise.resolve(TOO_LARGE)
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    const finish = (settle, value) => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      settle(value)
    }
    const onData = (chunk) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      size += buf.length
      if (size > MAX_BODY_BYTES) finish(resolve, TOO_LARGE)
      else chunks.push(buf)
    }
    const onEnd = () => finish(resolve, chunks.length ? Buffer.concat(chunks).toString('utf8') : textOf(req.body))
    const onError = (err) => finish(reject, err)
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
  })
}

/** A body some middleware left on `req.body`, as JSON text. */
function textOf(body) {
  if (body === undefined || body === null) return null
  if (typeof body === 'string') return body
  if (Buffer.isBuffer(body)) return body.toString('utf8')
  return JSON.stringify(body)
}

function failure(message) {
  return { success: false, message, data: null }
}

function send(res, status, body) {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.end(text)
}

module.exports = { createAdminHandler }
