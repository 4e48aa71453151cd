'use strict'
// The ceiling of an awaited add: the library's own add call, captured once and then sent again
// and again on a bare socket by the harness's minimal client (no queue, job or promise machinery
// of the library). Every call still runs the library's script and stores a new job, so this is
// what an awaited add would cost if the client side cost nothing: the round trip plus the script.
// Redis only (the embedded store has no socket).

const { JOB_NAME, openQueue } = require('./queues')
const { RespClient } = require('../resp')

/** One command as RESP bytes: `parts` are strings, numbers or Buffers. */
function encode(parts) {
  const out = [Buffer.from(`*${parts.length}\r\n`)]
  for (const p of parts) {
    const b = Buffer.isBuffer(p) ? p : Buffer.from(String(p))
    out.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'))
  }
  return Buffer.concat(out)
}

/** bullmq: the EVALSHA its add() sends, taken on the way out of ioredis (the module bullmq loads). */
async function bullmqCall(q) {
  const proto = require(require.resolve('ioredis', { paths: [require.resolve('bullmq')] })).prototype
  // The first add loads the script (ioredis answers NOSCRIPT by sending the script's text, and
  // may rewrite that command); the second add's EVALSHA is the one taken.
  await q.add(JOB_NAME, { i: 0 })
  const send = proto.sendCommand
  let cmd = null
  proto.sendCommand = function (c, ...rest) {
    if (cmd === null && /^evalsha$/i.test(c.name)) cmd = c
    return send.call(this, c, ...rest)
  }
  try {
    await q.add(JOB_NAME, { i: 0 })
  } finally {
    proto.sendCommand = send
  }
  if (cmd === null) throw new Error('wire: bullmq sent no EVALSHA for add()')
  return { handshake: null, call: encode([cmd.name, ...cmd.args]) }
}

/** ferroq: the call its add lane would write (and the lane's handshake, which loads the script). */
async function ferroqCall(q) {
  const raw = q._native && q._native.raw
  const cfg = raw && raw.laneConfig()
  if (!cfg) throw new Error('wire: this ferroq build has no add lane here (FERROQ_LANE=0, TLS or cluster)')
  const r = raw.laneEncode([JOB_NAME], [JSON.stringify({ i: 0 })], ['{}'], [Date.now()])
  if (!r || r.packed == null) throw new Error('wire: laneEncode gave no call')
  return { handshake: Buffer.from(cfg.handshake), call: Buffer.from(r.packed) }
}

async function addWire(ctx, { jobs, queue }) {
  const q = await openQueue(ctx, queue)
  const { handshake, call } = ctx.lib.name === 'bullmq' ? await bullmqCall(q) : await ferroqCall(q)
  const c = await RespClient.connect(ctx.redis.port, ctx.redis.host)
  try {
    // The handshake's replies (AUTH/SELECT/SCRIPT LOAD) come before the first add is sent.
    if (handshake) {
      c.socket.write(handshake)
      await new Promise((resolve) => setTimeout(resolve, 100))
      c.buf = Buffer.alloc(0)
    }
    await ctx.hold()
    await ctx.meter.begin()
    for (let i = 0; i < jobs; i++) {
      await c.raw(call)
    }
    return await ctx.meter.end(jobs)
  } finally {
    c.close()
    await q.close()
  }
}

module.exports = { addWire }
