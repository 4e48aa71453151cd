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

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace'
/**
 * Forwards ferroq's log records to your logger at `opts.level` and above (default
 * 'info'); `null` stops it. FERROQ_LOG=info|debug prints to stderr instead.
 */
export declare function setLogger(
  logger: ((level: LogLevel, message: string, fields: Record<string, unknown>) => void) | null,
  opts?: { level?: LogLevel | 'silent' },
): void

