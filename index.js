'use strict'
// ferroq's public JS surface, in BullMQ's names and shapes. This file only
// re-exports the modules in src/js (see each for what it does). Every export is
// written as a literal `module.exports.Name = ...` so that Node's CommonJS
// lexer finds it and `import { Queue } from 'ferroq'` works from ESM.

const native = require('./src/js/native.js')
const errors = require('./src/js/errors.js')
const outcomes = require('./src/js/outcome-errors.js')
const tracker = require('./src/js/learning-tracker.js')
const emailQueues = require('./src/js/email-queues.js')

module.exports.Queue = require('./src/js/queue.js').Queue
module.exports.Worker = require('./src/js/worker.js').Worker
module.exports.QueueEvents = require('./src/js/queue-events.js').QueueEvents
module.exports.QueueEventsProducer = require('./src/js/queue-events-producer.js').QueueEventsProducer
module.exports.Job = require('./src/js/job.js').Job
module.exports.FlowProducer = require('./src/js/flow-producer.js').FlowProducer
module.exports.FerroqError = errors.FerroqError
module.exports.UnrecoverableError = outcomes.UnrecoverableError
module.exports.DelayedError = outcomes.DelayedError
module.exports.WaitingError = outcomes.WaitingError
module.exports.WaitingChildrenError = outcomes.WaitingChildrenError
module.exports.RateLimitError = outcomes.RateLimitError
module.exports.DELAYED_ERROR = outcomes.DELAYED_ERROR
module.exports.RATE_LIMIT_ERROR = outcomes.RATE_LIMIT_ERROR
module.exports.UNRECOVERABLE_ERROR = outcomes.UNRECOVERABLE_ERROR
module.exports.WAITING_CHILDREN_ERROR = outcomes.WAITING_CHILDREN_ERROR
module.exports.WAITING_ERROR = outcomes.WAITING_ERROR
module.exports.PRIORITY_LIMIT = require('./src/js/job.js').PRIORITY_LIMIT
module.exports.QueueKeys = require('./src/js/queue-keys.js').QueueKeys
module.exports.QueueGetters = require('./src/js/queue-getters.js').QueueGetters
const enums = require('./src/js/enums.js')
module.exports.MetricsTime = enums.MetricsTime
module.exports.SpanKind = enums.SpanKind
module.exports.TelemetryAttributes = enums.TelemetryAttributes
module.exports.MetricNames = enums.MetricNames
// Presets the seed apps call directly.
module.exports.createLearningTracker = tracker.createLearningTracker
module.exports.initLearningTracker = tracker.initLearningTracker
module.exports.queueLearningUpdate = tracker.queueLearningUpdate
module.exports.forceUpdateNow = tracker.forceUpdateNow
module.exports.getQueueStatus = tracker.getQueueStatus
module.exports.clearAllPendingUpdates = tracker.clearAllPendingUpdates
module.exports.cleanup = tracker.cleanup
module.exports.initializeQueues = emailQueues.initializeQueues
module.exports.shutdownQueues = emailQueues.shutdownQueues
module.exports.getQueue = emailQueues.getQueue
module.exports.getQueues = emailQueues.getQueues
module.exports.emailQueue = emailQueues.emailQueue
module.exports.sendVerificationCode = emailQueues.emailQueue.sendVerificationCode
module.exports.sendPasswordReset = emailQueues.emailQueue.sendPasswordReset
module.exports.sendWelcomeEmail = emailQueues.emailQueue.sendWelcomeEmail
module.exports.sendPaymentReceipt = emailQueues.emailQueue.sendPaymentReceipt
module.exports.setLogger = require('./src/js/logger.js').setLogger
module.exports.createAdminHandler = require('./src/js/admin.js').createAdminHandler
module.exports.version = native.version()
module.exports.errorCodes = native.errorCodes()
