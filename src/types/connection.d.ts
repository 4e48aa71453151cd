// Where Redis is: the `connection` option in every form a BullMQ app passes.

/** Options every connection form shares. */
export interface BaseOptions {
  /** Accepted for BullMQ apps; ferroq runs no Redis version check to skip. */
  skipVersionCheck?: boolean
  /** `redis://[user:password@]host:port[/db]`, `rediss://...`, or `memory://[NAME]` (in-process, not durable) */
  url?: string
}

/** A node of a Redis Cluster: `'host:port'` or `{ host, port }`. */
export type ClusterNode = string | { host: string; port: number }

/**
 * ioredis-style options, as BullMQ takes them. ferroq reads `url`, `host`,
 * `port`, `username`, `password`, `db`, `tls` and `cluster`; other ioredis
 * settings (`maxRetriesPerRequest`, `retryStrategy`, ...) are accepted, as
 * with BullMQ, and have no effect: reconnecting is the engine's job.
 */
export interface RedisOptions extends BaseOptions {
  host?: string
  port?: number
  family?: number
  db?: number
  username?: string
  password?: string
  connectionName?: string
  keyPrefix?: string
  enableOfflineQueue?: boolean
  maxRetriesPerRequest?: number | null
  retryStrategy?: (times: number) => number | void | null
  lazyConnect?: boolean
  /** `true`, or `{ ca }` with a PEM root certificate for self-signed servers. */
  tls?: any
  /** Redis Cluster seed nodes; every queue's keys must then share a hash tag (`prefix: '{bull}'`). */
  cluster?: ClusterNode[]
  [key: string]: any
}

/** ioredis Cluster-style options. */
export interface ClusterOptions extends BaseOptions {
  maxRetriesPerRequest?: number | null
  enableOfflineQueue?: boolean
  retryStrategy?: (times: number) => number | void | null
  lazyConnect?: boolean
  redisOptions?: RedisOptions
  scaleReads?: string
  [key: string]: any
}

/** A client instance (an ioredis `Redis`): ferroq connects with its `options` and leaves the instance alone. */
export interface RedisConnectionClient {
  connect(...args: any[]): any
  duplicate(...args: any[]): any
  [key: string]: any
}

/**
 * A URL string, an options object, an ioredis instance, or a list of cluster nodes.
 * `'memory://'` or `'memory://NAME'` runs on ferroq's embedded in-process store instead of
 * Redis: the same name in one process is one store, another name a separate one. It is NOT
 * durable (a restart loses every job) and other processes cannot see it; TLS, cluster and the
 * other Redis-only options are refused with it.
 */
export type ConnectionOptions = string | RedisOptions | ClusterOptions | RedisConnectionClient | ClusterNode[]
