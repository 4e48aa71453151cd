import type { ConnectionOptions } from './ferroq'

/**
 * Where Redis is, for every example: `REDIS_URL` when set (the Jest setup sets it
 * to its private server). Otherwise undefined, which lets ferroq fall back to
 * REDIS_HOST / REDIS_PORT / REDIS_PASSWORD / REDIS_DB, then 127.0.0.1:6379.
 */
export function redisConnection(): ConnectionOptions | undefined {
  const url = process.env.REDIS_URL
  return url ? { url } : undefined
}
