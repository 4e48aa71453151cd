// Product items and the (simulated) database they are written to.

/** Seed doc batch ids are numbers from the app's database; strings work too. */
export type BatchId = number | string

/** One generated product item: a numbered unit of a batch with its QR code. */
export interface ProductItem {
  batchId: BatchId
  /** 1-based position in the batch. */
  serial: number
  qrCode: string
}

/** What the worker asks for: `count` items of `batchId` starting at 0-based `from`. */
export interface ItemRange {
  batchId: BatchId
  from: number
  count: number
  qrCodePrefix: string
}

/** Makes the items of a range. Swap in a failing one to exercise retries. */
export type ItemGenerator = (range: ItemRange) => Promise<ProductItem[]>

/** Width of the serial in QR codes: enough for the seed's 10,000+ items per batch. */
const SERIAL_DIGITS = 6

/** The QR code of item `serial` of a batch, e.g. `QR-123-000042`. */
export function qrCode(prefix: string, batchId: BatchId, serial: number): string {
  return `${prefix}-${batchId}-${String(serial).padStart(SERIAL_DIGITS, '0')}`
}

/**
 * The stand-in for real item generation (QR code minting, per-item rows). It
 * yields to the event loop once per call, as a database round trip would.
 */
export const generateProductItems: ItemGenerator = async ({ batchId, from, count, qrCodePrefix }) => {
  await new Promise((resolve) => setImmediate(resolve))
  return Array.from({ length: count }, (_, i) => {
    const serial = from + i + 1
    return { batchId, serial, qrCode: qrCode(qrCodePrefix, batchId, serial) }
  })
}

/**
 * The simulated product-item table. Inserts are upserts keyed by QR code, so a
 * job that failed half way and is retried rewrites its chunks instead of
 * duplicating them: retries are safe.
 */
export class ProductItemStore {
  private readonly items = new Map<string, ProductItem>()

  /** Bulk insert (the seed's "bulk insert ke database"). */
  async insertMany(items: ProductItem[]): Promise<void> {
    for (const item of items) this.items.set(item.qrCode, item)
  }

  /** The stored items of one batch, in serial order. */
  itemsOf(batchId: BatchId): ProductItem[] {
    return [...this.items.values()].filter((i) => i.batchId === batchId).sort((a, b) => a.serial - b.serial)
  }

  get size(): number {
    return this.items.size
  }
}
