'use strict'
// The JS end of the one ordered channel from Rust (src/binding/channel.rs).
// A native request method returns a request id at once; its answer arrives
// later, in the order Rust produced it, together with worker and QueueEvents
// batches. Each delivery is one flat array of [id, kind, value] triples:
//   kind 0        request `id` resolved with `value`
//   kind string   request `id` rejected: `kind` is the error code, `value` the message
//   kind 1        sink `id` (a worker, a QueueEvents) receives `value`
//   kind 2        sink `id` is finished

const binding = require('../../binding.js')
const { FerroqError } = require('./errors.js')

/** Request id -> { resolve, reject } of the promise its caller awaits. */
const pending = new Map()
/** Sink id -> function receiving each of its batches. */
const sinks = new Map()

function deliver(entries) {
  for (let i = 0; i < entries.length; i += 3) {
    const id = entries[i]
    const kind = entries[i + 1]
    if (kind === 0) {
      const p = pending.get(id)
      if (p !== undefined) {
        pending.delete(id)
        p.resolve(entries[i + 2])
      }
    } else if (kind === 1) {
      const f = sinks.get(id)
      if (f !== undefined) {
        // A throwing listener must not cost the entries after it their delivery;
        // it still surfaces as an uncaught exception, as it would have.
        try {
          f(entries[i + 2])
        } catch (e) {
          process.nextTick(() => {
            throw e
          })
        }
      }
    } else if (kind === 2) {
      sinks.delete(id)
    } else {
      const p = pending.get(id)
      if (p !== undefined) {
        pending.delete(id)
        p.reject(new FerroqError(kind, entries[i + 2]))
      }
    }
  }
}

// Deliveries wait behind adds on an add lane (./lane.js) that were sent before
// they arrived: a worker batch or an event may be about a job whose add()
// has not settled yet (its reply is still in the lane's socket), and code
// that awaits add() and then listens must not miss it. A hold is released
// (in order, after the microtasks of the settled adds) once each lane busy
// when it arrived has answered what it had sent by then.
/** Lanes with unanswered adds. */
const busyLanes = new Set()
/** Held deliveries, oldest first: { entries, marks: [[lane, sent]] }. */
const held = []
let releasing = false

function arrive(entries) {
  if (busyLanes.size === 0 && held.length === 0) return deliver(entries)
  const marks = []
  for (const lane of busyLanes) marks.push([lane, lane.sent])
  held.push({ entries, marks })
}

/** A lane answered adds (or failed): held deliveries it was holding may go. */
function laneAnswered() {
  if (held.length > 0 && !releasing) {
    releasing = true
    setImmediate(release)
  }
}

function release() {
  releasing = false
  while (held.length > 0 && held[0].marks.every(([lane, sent]) => lane.answered >= sent)) {
    deliver(held.shift().entries)
  }
}

const native = new binding.NativeChannel(arrive)

// The error a request rejects with is made where its caller awaits (after the
// answer arrived), so its stack shows the caller's chain of `await`s; made in
// `deliver` it would show only the channel. Costs one async frame per request.
// `where` (the Redis `host:port`) is added to connection errors, which
// otherwise do not say which server failed.
async function settle(answer, where) {
  try {
    return await answer
  } catch (e) {
    throw rethrown(e, where)
  }
}

/** A fresh FerroqError with `e`'s code and message, its stack from here. */
function rethrown(e, where) {
  if (!(e instanceof FerroqError)) return e
  const located = where && e.code === 'ERR_FERROQ_CONNECTION' && !e.message.includes(where)
  return new FerroqError(e.code, located ? `${e.message} (redis at ${where})` : e.message)
}

/** The raw promise of request `id` (see `settle` for the error's stack). */
function answer(id) {
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject })
  })
}

/** The promise of request `id`, rejecting with an error made at the caller; `where` is the Redis `host:port`. */
function request(id, where) {
  return settle(answer(id), where)
}

/** Routes sink `id`'s batches to `f` until Rust says the sink is finished. */
function listen(id, f) {
  sinks.set(id, f)
}

module.exports = { native, request, settle, answer, rethrown, listen, pending, sinks, busyLanes, laneAnswered }
