// The same spec body run against ferroq and against bullmq 6.7.0 on the same
// Redis, to prove the two agree. Both libraries are typed loosely here (their
// types differ in generics); index.d.ts is checked by the other specs.
import * as bullmq from 'bullmq'
import * as ferroq from '../..'
import { connection, store } from '../helpers'
import { bullConnection } from '../compat/compat-helpers'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Lib = any

/** A library under test: its name, its exports and its connection options. */
export interface Subject {
  name: 'ferroq' | 'bullmq'
  lib: Lib
  connection: () => object
}

export const FERROQ: Subject = { name: 'ferroq', lib: ferroq, connection }
export const BULLMQ: Subject = { name: 'bullmq', lib: bullmq, connection: bullConnection }
/**
 * For `describe.each(BOTH)('%s', ...)`: the spec runs once per library. On
 * memory:// only ferroq runs (bullmq needs a Redis; `npm test` lists the skip).
 */
export const BOTH: [string, Subject][] =
  store === 'memory'
    ? [['ferroq', FERROQ]]
    : [
        ['ferroq', FERROQ],
        ['bullmq', BULLMQ],
      ]

/** Collects closables (queues, workers, events) and closes them all at the end of a test. */
export function closer(): { add<T extends { close(): Promise<unknown> }>(c: T): T; closeAll(): Promise<void> } {
  const list: { close(): Promise<unknown> }[] = []
  return {
    add(c) {
      list.push(c)
      return c
    },
    async closeAll() {
      for (const c of list.reverse()) await c.close()
      list.length = 0
    },
  }
}
