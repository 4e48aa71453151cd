'use strict'
// The bullmq-suite's `src/enums` when the library under test is ferroq: the
// enums ferroq exports (BullMQ's internal child-process enums are left out).
const ferroq = require('../../../index.js')

module.exports = {
  MetricsTime: ferroq.MetricsTime,
  SpanKind: ferroq.SpanKind,
  MetricNames: ferroq.MetricNames,
  TelemetryAttributes: ferroq.TelemetryAttributes,
}
