'use strict'
// The bullmq-suite's `src/version` when the library under test is ferroq: the
// part after `bullmq:` of the meta version ferroq writes into a queue.
const { queueMetaValues } = require('../../../src/js/native.js')

module.exports = { version: queueMetaValues().version.replace(/^bullmq:/, '') }
