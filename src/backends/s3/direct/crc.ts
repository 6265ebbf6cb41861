/**
 * CRC32C and CRC64NVME, the checksums Amazon S3 answers with besides CRC32 (CRC64NVME is its
 * default for new objects since 2025), for the direct path to validate GetObject bodies as the SDK
 * does. Computed here, table-driven: Node has no CRC32C or CRC64 of its own, and the SDK's
 * implementations moved between packages across the versions the peer range allows
 * (`@aws-crypto/crc32c`, then `@aws-sdk/checksums`), so neither is a dependency to rely on.
 * State files are small (kilobytes): a byte-at-a-time table is fast enough.
 */

/** A running checksum of a body, read out as S3 prints it (base64 of the big-endian value). */
export interface Checksum {
  update(chunk: Buffer): void;
  base64(): string;
}

/** The byte table of a reflected CRC-32 with polynomial `poly`. */
function table32(poly: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (poly ^ (c >>> 1)) >>> 0 : c >>> 1;
    table[i] = c;
  }
  return table;
}

let crc32cTable: Uint32Array | undefined;

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), S3's `x-amz-checksum-crc32c`. */
export class Crc32c implements Checksum {
  private readonly table = (crc32cTable ??= table32(0x82f63b78));
  private crc = 0xffffffff;

  update(chunk: Buffer): void {
    const { table } = this;
    let crc = this.crc;
    for (let i = 0; i < chunk.length; i++) crc = (crc >>> 8) ^ table[(crc ^ chunk[i]!) & 0xff]!;
    this.crc = crc;
  }

  base64(): string {
    const out = Buffer.alloc(4);
    out.writeUInt32BE((this.crc ^ 0xffffffff) >>> 0);
    return out.toString('base64');
  }
}

/** The CRC64NVME table as [high, low] 32-bit halves (bitwise operators are 32-bit). */
let crc64Table: { high: Uint32Array; low: Uint32Array } | undefined;

function table64(): { high: Uint32Array; low: Uint32Array } {
  // The reflected polynomial 0x9A6C9329AC4BC9B5, in halves.
  const polyHigh = 0x9a6c9329;
  const polyLow = 0xac4bc9b5;
  const high = new Uint32Array(256);
  const low = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let h = 0;
    let l = i;
    for (let bit = 0; bit < 8; bit++) {
      const carry = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h >>>= 1;
      if (carry) {
        h = (h ^ polyHigh) >>> 0;
        l = (l ^ polyLow) >>> 0;
      }
    }
    high[i] = h;
    low[i] = l;
  }
  return { high, low };
}

/** CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5), S3's `x-amz-checksum-crc64nvme`. */
export class Crc64Nvme implements Checksum {
  private readonly table = (crc64Table ??= table64());
  private high = 0xffffffff;
  private low = 0xffffffff;

  update(chunk: Buffer): void {
    const { high: tableHigh, low: tableLow } = this.table;
    let h = this.high;
    let l = this.low;
    for (let i = 0; i < chunk.length; i++) {
      const index = (l ^ chunk[i]!) & 0xff;
      l = ((l >>> 8) | (h << 24)) ^ tableLow[index]!;
      h = (h >>> 8) ^ tableHigh[index]!;
    }
    this.high = h;
    this.low = l;
  }

  base64(): string {
    const out = Buffer.alloc(8);
    out.writeUInt32BE((this.high ^ 0xffffffff) >>> 0, 0);
    out.writeUInt32BE((this.low ^ 0xffffffff) >>> 0, 4);
    return out.toString('base64');
  }
}
