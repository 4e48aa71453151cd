'use strict'
// The EventEmitter base of Queue, Worker and QueueEvents, with BullMQ's rule
// for listeners that throw: the exception is emitted as 'error'; if that throws
// too (a throwing 'error' listener, or none at all), it is printed with
// console.error. A user's listener never takes the process down.

const { EventEmitter } = require('node:events')

class SafeEmitter extends EventEmitter {
  emit(event, ...args) {
    try {
      return super.emit(event, ...args)
    } catch (err) {
      try {
        return super.emit('error', err)
      } catch (err2) {
        console.error(err2)
        return false
      }
    }
  }
}

module.exports = { SafeEmitter }
