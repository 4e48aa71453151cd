// QueueEvents: a queue's events stream, read from any process.
/// <reference types="node" />
import { EventEmitter } from 'node:events'
import type { QueueBaseOptions, KeyPrefixOptions, QueueEventsOptions } from './options'
import type { JobProgress } from './job'

/** The events of the stream, with their payloads (values as Redis holds them, except those noted). */
export interface QueueEventsListener<ReturnType = any> {
  active: (args: { jobId: string; prev?: string }, id: string) => void
  added: (args: { jobId: string; name: string }, id: string) => void
  cleaned: (args: { count: string }, id: string) => void
  /** `returnvalue` parsed from JSON. */
  completed: (args: { jobId: string; returnvalue: ReturnType; prev?: string }, id: string) => void
  deduplicated: (args: { jobId: string; deduplicationId: string; deduplicatedJobId: string }, id: string) => void
  /** `delay` as a number. */
  delayed: (args: { jobId: string; delay: number }, id: string) => void
  drained: (id: string) => void
  duplicated: (args: { jobId: string }, id: string) => void
  error: (args: Error) => void
  failed: (args: { jobId: string; failedReason: string; prev?: string }, id: string) => void
  paused: (args: object, id: string) => void
  /** `data` parsed from JSON. */
  progress: (args: { jobId: string; data: JobProgress }, id: string) => void
  removed: (args: { jobId: string; prev: string }, id: string) => void
  resumed: (args: object, id: string) => void
  'retries-exhausted': (args: { jobId: string; attemptsMade: string }, id: string) => void
  stalled: (args: { jobId: string }, id: string) => void
  waiting: (args: { jobId: string; prev?: string }, id: string) => void
  'waiting-children': (args: { jobId: string }, id: string) => void
}

type CustomParameters<T> = T extends (...args: infer Args) => void ? Args : never
type KeyOf<T extends object> = Extract<keyof T, string>

/**
 * Reads a queue's events stream. Custom events (published by your own code)
 * are typed by passing an extended listener interface: `on<MyListener>('my-event', ...)`.
 */
export declare class QueueEvents<ReturnType = any> extends EventEmitter {
  constructor(name: string, opts?: QueueEventsOptions)
  readonly name: string
  readonly prefix: string
  readonly qualifiedName: string
  opts: QueueEventsOptions
  /** The promise of close() once it was called, else undefined. */
  readonly closing: Promise<void> | undefined
  emit<QEL extends QueueEventsListener<ReturnType> = QueueEventsListener<ReturnType>, U extends KeyOf<QEL> = KeyOf<QEL>>(
    event: U,
    ...args: CustomParameters<QEL[U]>
  ): boolean
  emit(event: string | symbol, ...args: any[]): boolean
  on<QEL extends QueueEventsListener<ReturnType> = QueueEventsListener<ReturnType>, U extends KeyOf<QEL> = KeyOf<QEL>>(event: U, listener: QEL[U]): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  once<QEL extends QueueEventsListener<ReturnType> = QueueEventsListener<ReturnType>, U extends KeyOf<QEL> = KeyOf<QEL>>(event: U, listener: QEL[U]): this
  once(event: string | symbol, listener: (...args: any[]) => void): this
  off<QEL extends QueueEventsListener<ReturnType> = QueueEventsListener<ReturnType>, U extends KeyOf<QEL> = KeyOf<QEL>>(eventName: U, listener: QEL[U]): this
  off(event: string | symbol, listener: (...args: any[]) => void): this
  /** Starts reading the stream (autorun does this). */
  run(): Promise<void>
  /** Resolves once every event written from now on will be seen. */
  waitUntilReady(): Promise<this>
  close(): Promise<void>
  disconnect(): Promise<void>
}

/** QueueEventsProducer's options: where Redis is and the key prefix. */
export interface QueueEventsProducerOptions extends Omit<QueueBaseOptions, 'telemetry'>, KeyPrefixOptions {}

/** Publishes custom events on a queue's events stream, for every QueueEvents reader of the queue. */
export declare class QueueEventsProducer extends EventEmitter {
  constructor(name: string, opts?: QueueEventsProducerOptions)
  readonly name: string
  readonly prefix: string
  readonly qualifiedName: string
  opts: QueueEventsProducerOptions
  closing: Promise<void> | undefined
  /**
   * Writes `{ eventName, ...fields }` as an event named `eventName` (readers
   * get `fields`, values as strings); the stream is trimmed to about
   * `maxEvents` entries (default 1000).
   */
  publishEvent<T extends { eventName: string }>(argsObj: T, maxEvents?: number): Promise<void>
  /** Resolves once Redis answers. */
  waitUntilReady(): Promise<void>
  close(): Promise<void>
  disconnect(): Promise<void>
}
