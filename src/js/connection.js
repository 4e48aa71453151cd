'use strict'
// Where Redis is: the `connection` option in the forms BullMQ apps pass, and
// the REDIS_* environment. This module is the only JS that reads REDIS_*.

const { invalid } = require('./errors.js')

/** Every REDIS_* variable ferroq reads. */
const REDIS_ENV = ['REDIS_URL', 'REDIS_HOST', 'REDIS_PORT', 'REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_DB', 'REDIS_ENABLED']

/**
 * The REDIS_* variables that are set, as `{ NAME: value }`. Read on every call,
 * in JS, because Node code may change process.env at run time.
 */
function redisEnv() {
  const env = process.env
  const out = {}
  for (const k of REDIS_ENV) if (typeof env[k] === 'string') out[k] = env[k]
  return out
}

/**
 * The default connection from the environment: REDIS_URL, else REDIS_HOST /
 * REDIS_PORT / REDIS_USERNAME / REDIS_PASSWORD / REDIS_DB; undefined when none is set.
 */
function connectionFromEnv() {
  const env = redisEnv()
  if (env.REDIS_URL) return { url: env.REDIS_URL }
  const out = {}
  if (env.REDIS_HOST) out.host = env.REDIS_HOST
  if (env.REDIS_PORT && Number.isInteger(Number(env.REDIS_PORT))) out.port = Number(env.REDIS_PORT)
  if (env.REDIS_USERNAME) out.username = env.REDIS_USERNAME
  if (env.REDIS_PASSWORD) out.password = env.REDIS_PASSWORD
  if (env.REDIS_DB && Number.isInteger(Number(env.REDIS_DB))) out.db = Number(env.REDIS_DB)
  return Object.keys(out).length ? out : undefined
}

/** Connection options for Rust: a URL string, our object form, or an ioredis instance's options. */
function connectionOf(conn) {
  if (conn == null) return connectionFromEnv()
  if (typeof conn === 'string') return { url: conn }
  if (Array.isArray(conn)) return { cluster: conn.map((n) => (typeof n === 'string' ? n : { host: n && n.host, port: n && n.port })) }
  if (typeof conn !== 'object') throw invalid('connection', 'must be a URL string or { host, port, ... }')
  // An ioredis client (BullMQ apps pass one): use its settings, not the instance.
  const o = conn.options && typeof conn.duplicate === 'function' ? conn.options : conn
  const out = {}
  for (const k of ['url', 'host', 'port', 'username', 'password', 'db', 'cluster']) {
    if (o[k] !== undefined && o[k] !== null) out[k] = o[k]
  }
  if (o.tls) out.tls = o.tls === true ? true : { ca: o.tls.ca ? String(o.tls.ca) : undefined }
  return out
}

/**
 * `host:port` of the Redis a connection option points at (the first node of a
 * cluster), for error messages: never the user name or password.
 */
function describeConnection(conn) {
  const c = connectionOf(conn) || {}
  if (Array.isArray(c.cluster) && c.cluster.length > 0) {
    const n = c.cluster[0]
    return describeConnection(typeof n === 'string' ? n : { host: n.host, port: n.port })
  }
  if (typeof c.url === 'string') {
    try {
      const u = new URL(c.url)
      return `${u.hostname || '127.0.0.1'}:${u.port || 6379}`
    } catch {
      return 'an invalid URL'
    }
  }
  return `${c.host || '127.0.0.1'}:${c.port || 6379}`
}

module.exports = { redisEnv, connectionFromEnv, connectionOf, describeConnection }
