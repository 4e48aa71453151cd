'use strict'
// The add lane: a queue handle's adds travel on a socket the JS thread owns,
// as ioredis does for bullmq, so an awaited add() costs no hand-off to the
// engine's thread and back. Rust still decides what is sent and what each
// reply means (src/binding/queue/lane.rs): `laneConfig()` says where to
// connect and what to write first, `laneEncode()` checks and encodes a batch
// (one script call), `laneFeed()` turns the socket's bytes into answers.
//
// Nothing is lost: when the socket fails with adds unanswered, they are sent
// again, in order, the engine's way (as ioredis re-sends unfulfilled
// commands), and the lane is dropped; a later add may open a new one (at most
// once a second). The socket keeps Node alive only while an add waits.

const net = require('net')
const { FerroqError, fromNative } = require('./errors.js')
const channel = require('./channel.js')

/** How long after a failed lane the next may open. */
const REOPEN_MS = 1000

/** Distinct options JSON texts a lane keeps a template for, and the longest such text. */
const TEMPLATES = 64
const TEMPLATE_OPTS_MAX = 4096

/** Whether FERROQ_LANE=0 turns the lane off (read when a lane would open). */
function disabled() {
  return process.env.FERROQ_LANE === '0'
}

class Lane {
  /** `h` is the queue handle; `cfg` its `raw.laneConfig()`. */
  constructor(h, cfg) {
    this.h = h
    /** Batches sent and not answered, oldest first: { batch } (see QueueHandle). */
    this.waiting = []
    /** Callbacks run once nothing waits (requests held back behind the lane's adds). */
    this.onIdle = []
    /** No new batches: the lane ends once idle (a replica, a flushed script, a close). */
    this.draining = false
    this.dead = false
    /** Batches sent and answered so far (the channel holds deliveries behind them). */
    this.sent = 0
    this.answered = 0
    /** The handshake (AUTH, SELECT, SCRIPT LOAD) is answered: batches may go. */
    this.ready = false
    this.timeoutMs = cfg.timeoutMs
    /** Since when the lane has been silent while adds wait (ms). */
    this.quietSince = 0
    /** The socket was cut for silence: its adds may have run, so they are not sent again. */
    this.timedOut = false
    this.timer = null
    /** Rust's templates of a lone add, by options JSON (null: none); see `simple`. */
    this.tpls = new Map()
    /** Rust's reader holds part of a reply: the next bytes go to it. */
    this.partial = false
    const s = cfg.path ? net.connect(cfg.path) : net.connect(cfg.port, cfg.host)
    s.setNoDelay(true)
    s.setKeepAlive(true)
    s.unref()
    s.on('data', (chunk) => this._data(chunk))
    // 'close' follows every error; the adds are handled there.
    s.on('error', () => {})
    s.on('close', () => this._fail())
    s.write(cfg.handshake)
    this.socket = s
  }

  /** Whether a new batch may go on this lane. */
  get usable() {
    return this.ready && !this.dead && !this.draining
  }

  /**
   * The bytes of a lone add, built from Rust's template for its options (one
   * native call per distinct options JSON, at most TEMPLATES of them, none
   * over TEMPLATE_OPTS_MAX characters), or null when no template covers it (a
   * custom jobId, data over the limit, an odd timestamp): Rust encodes it then.
   */
  simple(name, data, opts, ts) {
    let t = this.tpls.get(opts)
    if (t === undefined) {
      if (this.tpls.size >= TEMPLATES || opts.length > TEMPLATE_OPTS_MAX || opts.includes('"jobId"')) return null
      try {
        t = this.h.raw.laneTemplate(opts)
      } catch {
        t = null
      }
      this.tpls.set(opts, t)
    }
    if (t === null || !(Number.isSafeInteger(ts) && ts > 0)) return null
    const size = Buffer.byteLength(data)
    if (t.maxDataBytes > 0 && size > t.maxDataBytes) return null
    const at = String(ts)
    return `${t.head}$${Buffer.byteLength(name)}\r\n${name}\r\n$${size}\r\n${data}\r\n${t.mid}$${at.length}\r\n${at}\r\n${t.tail}`
  }

  /** Writes one encoded batch; `entry` is settled by its reply. */
  send(entry, packed) {
    this.socket.write(packed)
    this.sent++
    if (this.waiting.push(entry) === 1) {
      this.socket.ref()
      channel.busyLanes.add(this)
      this.quietSince = Date.now()
      if (this.timer === null) {
        this.timer = setInterval(() => this._checkSilence(), Math.min(this.timeoutMs, 1000))
        this.timer.unref()
      }
    }
  }

  /**
   * Silence while adds wait, for as long as the engine's response timeout
   * (counted from the last bytes read, or from when adds began to wait):
   * the socket is cut and the waiting adds fail as the engine's would.
   */
  _checkSilence() {
    if (this.waiting.length > 0 && Date.now() - this.quietSince >= this.timeoutMs) {
      this.timedOut = true
      this.socket.destroy()
    }
  }

  /** Runs `f` once no add waits on this lane (at once if none does). */
  whenIdle(f) {
    if (this.waiting.length === 0) f()
    else this.onIdle.push(f)
  }

  /** No new batches; ends the socket once the waiting ones are answered. */
  drain() {
    this.draining = true
    if (this.waiting.length === 0) this._end()
  }

  _data(chunk) {
    if (this.dead) return
    this.quietSince = Date.now()
    // The common answer, one id for one lone add, is read here; anything else
    // (errors, several replies, a reply cut in two) is Rust's to read.
    if (this.ready && !this.partial && this.waiting.length === 1 && this.waiting[0].batch.waiters.length === 1) {
      const id = loneId(chunk)
      if (id !== null) {
        this.answered++
        this.waiting.shift().batch.waiters[0].resolve(id)
        this._idle()
        channel.laneAnswered()
        return
      }
    }
    let replies
    try {
      replies = this.h.raw.laneFeed(chunk, this.waiting.map((e) => e.batch.waiters.length))
      this.partial = this.h.raw.lanePartial()
    } catch {
      // Refused handshake (an ACL without SCRIPT, a wrong password): no lane
      // for this handle; the engine's way reports the problem.
      if (!this.ready) this.h._laneOff = true
      this.socket.destroy()
      return
    }
    if (!this.ready) this.ready = this.h.raw.laneReady()
    this.answered += replies.length
    for (const r of replies) {
      const entry = this.waiting.shift()
      if (r.resend !== 0) {
        // Nothing ran (NOSCRIPT, READONLY): this batch goes the engine's way,
        // which loads the script or reconnects; the lane takes no more.
        this.draining = true
        this.h._resend(entry.batch)
      } else if (r.ids != null) {
        const w = entry.batch.waiters
        for (let i = 0; i < w.length; i++) w[i].resolve(r.ids[i])
      } else {
        for (const x of entry.batch.waiters) x.reject(new FerroqError(r.code, r.message))
      }
    }
    if (this.waiting.length === 0) this._idle()
    if (replies.length > 0) channel.laneAnswered()
  }

  _idle() {
    channel.busyLanes.delete(this)
    if (this.timer !== null) {
      clearInterval(this.timer)
      this.timer = null
    }
    if (!this.dead) this.socket.unref()
    if (this.draining) this._end()
    const fs = this.onIdle
    this.onIdle = []
    for (const f of fs) f()
  }

  _end() {
    if (this.dead) return
    this.dead = true
    this.h._laneGone(this)
    this.socket.end()
    this.socket.unref()
  }

  /**
   * The socket closed or broke: unanswered adds go again the engine's way, in
   * order (nothing ran: Redis answers in order and closed before answering),
   * except a batch whose reply was cut: it ran, and fails.
   * Cut for silence, they may have run: they fail with a connection error, as
   * the engine's response timeout does, instead of being added twice.
   */
  _fail() {
    if (this.dead && this.waiting.length === 0) return
    this.dead = true
    this.h._laneGone(this)
    const lost = this.waiting
    this.waiting = []
    this.answered = this.sent
    channel.laneAnswered()
    if (this.timedOut) {
      const e = new FerroqError('ERR_FERROQ_CONNECTION', `no reply from Redis within ${this.timeoutMs} ms; the add may have been applied`)
      for (const entry of lost) for (const x of entry.batch.waiters) x.reject(e)
    } else {
      // Part of the oldest batch's reply came in: that batch ran, and sent
      // again it would be added twice; it fails as the engine's would.
      if (this.partial && lost.length > 0) {
        const e = new FerroqError('ERR_FERROQ_CONNECTION', 'the connection broke while the reply to the add was arriving; the add was applied')
        for (const x of lost.shift().batch.waiters) x.reject(e)
      }
      for (const entry of lost) this.h._resend(entry.batch)
    }
    this._idle()
  }
}

/** Rejects waiter `w[f.index]` of each failed job `f` with its own error, leaving null there; returns `w`. */
function rejectFailed(w, failed) {
  for (const f of failed) {
    w[f.index].reject(new FerroqError(f.code, f.message))
    w[f.index] = null
  }
  return w
}

/** Sends batch `b` of queue handle `h` on `lane`; false when the lane does not take it. */
function laneSend(h, lane, b) {
  const lone = b.names.length === 1 ? lane.simple(b.names[0], b.datas[0], b.opts[0], b.timestamps[0]) : null
  if (lone !== null) {
    lane.send({ batch: b }, lone)
    return true
  }
  let r
  try {
    r = h.raw.laneEncode(b.names, b.datas, b.opts, b.timestamps)
  } catch {
    return false
  }
  if (r === null) return false
  let sent = b
  if (r.failed.length > 0) {
    const w = rejectFailed(b.waiters.slice(), r.failed)
    sent = { names: [], datas: [], opts: [], timestamps: [], waiters: [] }
    for (let i = 0; i < w.length; i++) {
      if (w[i] === null) continue
      sent.names.push(b.names[i])
      sent.datas.push(b.datas[i])
      sent.opts.push(b.opts[i])
      sent.timestamps.push(b.timestamps[i])
      sent.waiters.push(w[i])
    }
  }
  if (r.packed != null) lane.send({ batch: sent }, r.packed)
  return true
}

/** The id in `chunk` when it is exactly the reply `*1 $n <digits>` (a new job's id), else null. */
function loneId(chunk) {
  const n = chunk.length
  if (n < 10 || chunk[0] !== 42 || chunk[1] !== 49 || chunk[2] !== 13 || chunk[3] !== 10 || chunk[4] !== 36) return null
  let len = 0
  let i = 5
  for (; i < n && chunk[i] >= 48 && chunk[i] <= 57; i++) len = len * 10 + chunk[i] - 48
  if (i === 5 || chunk[i] !== 13 || chunk[i + 1] !== 10 || len === 0 || i + 2 + len + 2 !== n) return null
  for (let j = i + 2; j < n - 2; j++) if (chunk[j] < 48 || chunk[j] > 57) return null
  if (chunk[n - 2] !== 13 || chunk[n - 1] !== 10) return null
  return chunk.latin1Slice(i + 2, n - 2)
}

/** The handle's lane for a new batch, opening one if allowed; null: use the engine's path. */
function laneOf(h) {
  if (h._closed) return null
  const lane = h._lane
  if (lane !== null) return lane.usable ? lane : null
  if (!h._laneOk || h._laneOff || Date.now() < h._laneNext) return null
  if (disabled()) {
    h._laneOff = true
    return null
  }
  let cfg
  try {
    cfg = h.raw.laneConfig()
  } catch (e) {
    throw fromNative(e)
  }
  if (cfg === null) {
    h._laneOff = true
    return null
  }
  // Not usable before its handshake is answered: this batch goes the engine's way.
  h._lane = new Lane(h, cfg)
  return null
}

module.exports = { Lane, laneOf, laneSend, rejectFailed, loneId, REOPEN_MS }
