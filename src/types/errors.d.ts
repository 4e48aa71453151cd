// Errors with stable codes, the errors a processor throws to end its job a
// certain way (BullMQ's names), and logging.

/** An error with a stable `code` (`ERR_FERROQ_*`). */
export declare class FerroqError extends Error {
  code: string
}
export declare class UnrecoverableError extends Error {}
export declare class DelayedError extends Error {}
export declare class WaitingError extends Error {}
export declare class WaitingChildrenError extends Error {}
export declare class RateLimitError extends Error {}

/** The messages of those errors, as BullMQ names them. */
export declare const DELAYED_ERROR = 'bullmq:movedToDelayed'
export declare const RATE_LIMIT_ERROR = 'bullmq:rateLimitExceeded'
export declare const UNRECOVERABLE_ERROR = 'bullmq:unrecoverable'
export declare const WAITING_CHILDREN_ERROR = 'bullmq:movedToWaitingChildren'
export declare const WAITING_ERROR = 'bullmq:movedToWait'

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace'
/**
 * Forwards ferroq's log records to your logger at `opts.level` and above (default
 * 'info'); `null` stops it. FERROQ_LOG=info|debug prints to stderr instead.
 */
export declare function setLogger(
  logger: ((level: LogLevel, message: string, fields: Record<string, unknown>) => void) | null,
  opts?: { level?: LogLevel | 'silent' },
): void

