'use strict'
// Errors with stable codes and the conversion of errors made by native code.
// The errors a processor throws to tell the worker how its job ended are in
// outcome-errors.js.

/** An error with a stable `code` (ERR_FERROQ_*). */
class FerroqError extends Error {
  constructor(code, message) {
    super(message)
    this.name = 'FerroqError'
    this.code = code
  }
}

const invalid = (field, reason) => new FerroqError('ERR_FERROQ_INVALID_OPTION', `invalid ${field}: ${reason}`)

/** An invalid `field`, refused with BullMQ's own `message` (users and tests match on it). */
function refused(field, message) {
  const err = new FerroqError('ERR_FERROQ_INVALID_OPTION', message)
  err.field = field
  return err
}

// napi-rs rejects an argument of the wrong JS type before ferroq's code runs,
// with napi's own status as the code ('NumberExpected', ...). To a caller that
// is an invalid option like any other, so it gets ferroq's stable code.
const NAPI_ARG_STATUS = /^(InvalidArg|[A-Za-z]+Expected)$/

// Errors made by native code belong to Node's main realm; rebuilding them here
// keeps `instanceof Error` true wherever this module was loaded (Jest's VM
// contexts included) and keeps the stable `code`.
function fromNative(e) {
  if (e && typeof e === 'object' && typeof e.code === 'string' && !(e instanceof FerroqError)) {
    const arg = NAPI_ARG_STATUS.test(e.code)
    const err = new FerroqError(arg ? 'ERR_FERROQ_INVALID_OPTION' : e.code, arg ? `invalid argument: ${e.message}` : e.message)
    if (typeof e.stack === 'string') err.stack = `${err.name}: ${err.message}\n${e.stack.split('\n').slice(1).join('\n')}`
    return err
  }
  return e
}

/** Calls native code, converting its errors (sync throws and rejections). */
function callNative(f) {
  let r
  try {
    r = f()
  } catch (e) {
    throw fromNative(e)
  }
  return r && typeof r.then === 'function' ? r.catch((e) => Promise.reject(fromNative(e))) : r
}

module.exports = {
  FerroqError,
  invalid,
  refused,
  fromNative,
  callNative,
}
