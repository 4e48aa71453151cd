// The swap an app makes ("bullmq": "npm:ferroq@…"): bull-board's own
// require('bullmq') is ferroq too, so its adapter checks `instanceof` against
// ferroq's Queue and reads flow trees with ferroq's FlowProducer. Over a ferroq
// Queue it still answers every route as the unswapped board does over a bullmq
// 6.7.0 Queue (whose board here also runs on ferroq's FlowProducer): the cases
// are in board-parity.ts.
import * as ferroq from '../..'
import { boardParity } from './board-parity'

jest.mock('bullmq', () => jest.requireActual('../..'))

describe('bull-board with bullmq swapped for ferroq answers as over a bullmq Queue', () => {
  test('bull-board loads ferroq under the name bullmq', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require('bullmq').Queue).toBe(ferroq.Queue)
  })
  boardParity(jest.requireActual('bullmq'), ferroq)
})
