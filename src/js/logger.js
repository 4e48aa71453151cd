'use strict'
// setLogger: the engine's log records into the app's logger.

const native = require('./native.js')
const { invalid, callNative } = require('./errors.js')

/**
 * Forwards ferroq's log records to `logger(level, message, fields)` (e.g. a
 * pino or winston adapter) at `opts.level` and above (default 'info'); `null`
 * stops forwarding. Independently, FERROQ_LOG=info|debug|... prints to stderr.
 */
function setLogger(logger, opts = {}) {
  if (logger == null) {
    callNative(() => native.setLogCallback(null, null))
    return
  }
  if (typeof logger !== 'function') throw invalid('logger', 'must be a function (level, message, fields) => void, or null')
  const level = (opts && opts.level) || 'info'
  callNative(() =>
    native.setLogCallback((json) => {
      try {
        const r = JSON.parse(json)
        logger(r.level, r.message, r.fields)
      } catch {
        // A logger that throws must not break the engine.
      }
    }, level),
  )
}

module.exports = { setLogger }
