// Flows (BullMQ's parent/child jobs): the FlowProducer, the trees it adds and
// reads back, and a parent's view of its children.
/// <reference types="node" />
import { EventEmitter } from 'node:events'
import type { ConnectionOptions } from './connection'
import type { DeduplicationOptions, JobsOptions, QueueOptions } from './options'
import type { Job } from './job'

/** A job's parent: its id and its queue qualified with the prefix (`<prefix>:<queueName>`). */
export interface ParentOptions {
  id: string
  queue: string
}

type FlowDeduplicationOptions = Omit<DeduplicationOptions, 'replace'>
type FlowJobOpts = Omit<JobsOptions, 'deduplication'> & { deduplication?: FlowDeduplicationOptions }
type FlowParentJobOpts = Omit<FlowJobOpts, 'deduplication' | 'parent'>
type FlowNestedLeafJobOpts = Omit<FlowJobOpts, 'parent'>

export interface FlowJobBase<T> {
  name: string
  queueName: string
  data?: any
  /** The node's key prefix (default: the producer's). */
  prefix?: string
  opts?: T
}
export type FlowNestedLeafJob = FlowJobBase<FlowNestedLeafJobOpts> & { children?: never }
export type FlowParentJob = FlowJobBase<FlowParentJobOpts> & { children: FlowJobNode[] }
export type FlowJobNode = FlowParentJob | FlowNestedLeafJob
/** A flow's root without children. */
export type FlowRootLeafJob = FlowJobBase<FlowJobOpts> & { children?: never }
/** A flow's root with children. */
export type FlowRootParentJob = FlowJobBase<FlowJobOpts> & { children: FlowJobNode[] }
/** A flow: a job and, run before it, its children (any depth, any queues of one prefix). */
export type FlowJob = FlowRootLeafJob | FlowRootParentJob

export type FlowQueuesOpts = Record<string, Omit<QueueOptions, 'connection' | 'prefix'>>
export interface FlowOpts {
  /** Per queue name: options (its `defaultJobOptions`) for the nodes of that queue. */
  queuesOptions: FlowQueuesOpts
}

/** A job of a flow and its children. */
export interface JobNode {
  job: Job
  children?: JobNode[]
}

/** Where `getFlow` starts. */
export interface NodeOpts {
  queueName: string
  prefix?: string
  id: string
  /** Levels to read (default 10). */
  depth?: number
  /** About how many children of each kind to read per job (default 20). */
  maxChildren?: number
}

export interface FlowProducerOptions {
  connection?: ConnectionOptions
  /** Default key prefix of the nodes; default `bull`. */
  prefix?: string
}

/** FlowProducer's events. */
export interface FlowProducerListener {
  error: (failedReason: Error) => void
}

export declare class FlowProducer extends EventEmitter {
  constructor(opts?: FlowProducerOptions)
  opts: FlowProducerOptions
  closing: Promise<void> | undefined
  waitUntilReady(): Promise<void>
  on<U extends keyof FlowProducerListener>(event: U, listener: FlowProducerListener[U]): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  once<U extends keyof FlowProducerListener>(event: U, listener: FlowProducerListener[U]): this
  once(event: string | symbol, listener: (...args: any[]) => void): this
  off<U extends keyof FlowProducerListener>(event: U, listener: FlowProducerListener[U]): this
  off(event: string | symbol, listener: (...args: any[]) => void): this
  /** Adds a flow atomically; resolves with the tree of jobs. */
  add(flow: FlowJob, opts?: FlowOpts): Promise<JobNode>
  /** Adds several flows in one atomic call. */
  addBulk(flows: FlowJob[]): Promise<JobNode[]>
  /**
   * The flow below a job. Resolves undefined when the job does not exist
   * (typed as BullMQ types it, without `undefined`, so BullMQ code compiles).
   */
  getFlow(opts: NodeOpts): Promise<JobNode>
  close(): Promise<void>
  disconnect(): Promise<void>
}

/** One page of a dependency list. */
export interface DependencyOpts {
  cursor?: number
  count?: number
}

/** Which of a parent's children lists `getDependencies` pages through. */
export interface DependenciesOpts {
  failed?: DependencyOpts
  ignored?: DependencyOpts
  processed?: DependencyOpts
  unprocessed?: DependencyOpts
}

/** A parent's children by how they ended (lists only when read; cursors when paged). */
export interface Dependencies<CT = any> {
  processed?: Record<string, CT>
  unprocessed?: string[]
  failed?: string[]
  ignored?: Record<string, string>
  nextProcessedCursor?: number
  nextUnprocessedCursor?: number
  nextFailedCursor?: number
  nextIgnoredCursor?: number
}
