'use strict'
// The bullmq-suite's `src/interfaces` and `src/types` (TypeScript types only,
// nothing at run time).
module.exports = {}
