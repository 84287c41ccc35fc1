// Generates build/icon.png (1024×1024): a teal rounded square with a white shopping-tag mark.
// Pure Node (zlib + CRC), so the icon can be regenerated on any build machine without ImageMagick.
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZE = 1024;
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'icon.png');

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};

const inRoundedSquare = (x, y, margin, radius) => {
  const lo = margin,
    hi = SIZE - margin;
  if (x < lo || x >= hi || y < lo || y >= hi) return false;
  const cx = Math.min(Math.max(x, lo + radius), hi - radius);
  const cy = Math.min(Math.max(y, lo + radius), hi - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
};
// The tag: a rounded square rotated 45° with a punched hole.
const inTag = (x, y) => {
  const u = (x - y) / Math.SQRT2 + SIZE / 2;
  const v = (x + y) / Math.SQRT2 - SIZE * 0.107; // centres the tag
  const inBody = u > 300 && u < 724 && v > 330 && v < 900;
  const hole = (u - 512) ** 2 + (v - 440) ** 2 < 48 ** 2;
  return inBody && !hole;
};

const raw = Buffer.alloc((SIZE * 4 + 1) * SIZE);
for (let y = 0; y < SIZE; y++) {
  const row = y * (SIZE * 4 + 1);
  raw[row] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    const i = row + 1 + x * 4;
    let rgba = [0, 0, 0, 0];
    if (inRoundedSquare(x, y, 64, 180))
      rgba = inTag(x, y) ? [255, 255, 255, 255] : [13, 128, 122, 255];
    raw.set(rgba, i);
  }
}
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
