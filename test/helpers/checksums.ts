import * as zlib from 'node:zlib';

/** The x-amz-checksum-crc32 value of `data` (base64 of the big-endian CRC32), computed apart from the code under test. */
export function crc32Base64(data: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(zlib.crc32(data) >>> 0);
  return out.toString('base64');
}
