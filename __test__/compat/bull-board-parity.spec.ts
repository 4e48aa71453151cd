// bull-board (the real @bull-board/api + @bull-board/express 9.10.1, loading
// the real bullmq) over a ferroq Queue answers every route as over a bullmq
// 6.7.0 Queue: the cases are in board-parity.ts.
import * as bullmq from 'bullmq'
import * as ferroq from '../..'
import { boardParity } from './board-parity'

describe('bull-board over a ferroq Queue answers as over a bullmq Queue', () => boardParity(bullmq, ferroq))
