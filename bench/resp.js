'use strict'
// A minimal Redis client for the harness's own traffic (FLUSHALL, INFO, a completion poll).
//
// The harness must not load ioredis: a ferroq child would then carry a second Redis client's
// modules and heap, and the parent would weigh on nobody but should stay library-free anyway.
// Requests are sent one at a time (each awaited) so that the counters below say exactly which
// bytes and commands of ours Redis had seen when it produced an INFO reply; the meter subtracts
// them, and the figures per job are the library's alone.

const net = require('node:net')

class RespClient {
  /** Connects to host:port; resolves once the socket is open. */
  static connect(port, host = '127.0.0.1') {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host)
      socket.setNoDelay(true)
      socket.once('connect', () => resolve(new RespClient(socket)))
      socket.once('error', reject)
    })
  }

  constructor(socket) {
    this.socket = socket
    this.buf = Buffer.alloc(0)
    this.pending = null
    /** Commands sent so far, by lower-case name (for commandstats corrections). */
    this.sentByName = {}
    this.sent = 0
    socket.on('data', (d) => this.onData(d))
    socket.on('error', (e) => this.fail(e))
    socket.on('close', () => this.fail(new Error('redis connection closed')))
  }

  /** Bytes written to / read from Redis so far (socket counters). */
  get bytesOut() {
    return this.socket.bytesWritten
  }

  get bytesIn() {
    return this.socket.bytesRead
  }

  /** Sends one command already in RESP form (a Buffer) and resolves with its reply. */
  raw(bytes) {
    if (this.pending) return Promise.reject(new Error('RespClient: one command at a time'))
    this.sent++
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject }
      this.socket.write(bytes)
    })
  }

  /** Sends one command and resolves with its reply (Buffers for bulk strings). */
  command(...args) {
    if (this.pending) return Promise.reject(new Error('RespClient: one command at a time'))
    const parts = [`*${args.length}\r\n`]
    for (const a of args) {
      const s = String(a)
      parts.push(`$${Buffer.byteLength(s)}\r\n${s}\r\n`)
    }
    const name = String(args[0]).toLowerCase()
    this.sentByName[name] = (this.sentByName[name] || 0) + 1
    this.sent++
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject }
      this.socket.write(parts.join(''))
    })
  }

  /** Like command(), with a bulk reply as a string. */
  async text(...args) {
    const r = await this.command(...args)
    return Buffer.isBuffer(r) ? r.toString('utf8') : r
  }

  onData(d) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d
    const parsed = parseReply(this.buf, 0)
    if (!parsed) return
    this.buf = this.buf.subarray(parsed.end)
    const p = this.pending
    this.pending = null
    if (!p) return
    if (parsed.value instanceof Error) p.reject(parsed.value)
    else p.resolve(parsed.value)
  }

  fail(e) {
    const p = this.pending
    this.pending = null
    if (p) p.reject(e)
  }

  close() {
    this.socket.removeAllListeners('close')
    this.socket.end()
    this.socket.destroy()
  }
}

/** Parses one RESP2 reply at `at`; null when the buffer does not hold all of it yet. */
function parseReply(buf, at) {
  const eol = buf.indexOf('\r\n', at)
  if (eol < 0) return null
  const type = String.fromCharCode(buf[at])
  const line = buf.toString('utf8', at + 1, eol)
  const next = eol + 2
  switch (type) {
    case '+':
      return { value: line, end: next }
    case '-':
      return { value: new Error(line), end: next }
    case ':':
      return { value: Number(line), end: next }
    case '$': {
      const len = Number(line)
      if (len < 0) return { value: null, end: next }
      if (buf.length < next + len + 2) return null
      return { value: buf.subarray(next, next + len), end: next + len + 2 }
    }
    case '*': {
      const n = Number(line)
      if (n < 0) return { value: null, end: next }
      const out = []
      let pos = next
      for (let i = 0; i < n; i++) {
        const item = parseReply(buf, pos)
        if (!item) return null
        out.push(item.value)
        pos = item.end
      }
      return { value: out, end: pos }
    }
    default:
      throw new Error(`RespClient: unexpected reply type ${JSON.stringify(type)}`)
  }
}

/** INFO text -> { field: value } (section headers dropped). */
function parseInfo(text) {
  const out = {}
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':')
    if (i > 0 && line[0] !== '#') out[line.slice(0, i)] = line.slice(i + 1)
  }
  return out
}

module.exports = { RespClient, parseInfo }
