'use strict'
// BullMQ stores a job's options with some keys abbreviated; users see the long
// names. The table is written once, in Rust (engine/options/names.rs), and read
// here from the binding.

const { jobOptsShortKeys } = require('./native.js')

/**
 * Stored short key -> where its value goes: a top-level option name, or
 * [parent, name] for an option BullMQ keeps nested (telemetry.metadata and
 * telemetry.omitContext are stored top-level as tm / omc).
 */
const OPTS_SHORT_NAMES = Object.fromEntries(
  jobOptsShortKeys().map(([short, long]) => [short, long.includes('.') ? long.split('.') : long]),
)

/** Renames stored short keys in `opts` (in place) to their long names; `{}` for no object. */
function decodeOpts(opts) {
  if (!opts || typeof opts !== 'object') return {}
  for (const short in OPTS_SHORT_NAMES) {
    if (!(short in opts)) continue
    const long = OPTS_SHORT_NAMES[short]
    if (typeof long === 'string') {
      opts[long] = opts[short]
    } else {
      const [parent, name] = long
      opts[parent] = { ...opts[parent], [name]: opts[short] }
    }
    delete opts[short]
  }
  return opts
}

module.exports = { OPTS_SHORT_NAMES, decodeOpts }
