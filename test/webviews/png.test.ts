import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { mulberry32 } from '../core/helpers';
import { decodePng, diffImages, encodePng, pngChunk, type Image } from './png';

function randomImage(width: number, height: number, seed: number): Image {
  const rnd = mulberry32(seed);
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rnd() * 256);
  return { width, height, data };
}

/** A PNG of RGB pixels whose row y is written with filter y % 5, as an encoder may choose. */
function filteredRgbPng(width: number, height: number, rgb: Buffer): Buffer {
  const stride = width * 3;
  const rows: Buffer[] = [];
  const px = (y: number, x: number) => (y < 0 || x < 0 ? 0 : rgb[y * stride + x]!);
  for (let y = 0; y < height; y++) {
    const filter = y % 5;
    const row = Buffer.alloc(stride + 1);
    row[0] = filter;
    for (let x = 0; x < stride; x++) {
      const [a, b, c] = [px(y, x - 3), px(y - 1, x), px(y - 1, x - 3)];
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][filter]!;
      row[x + 1] = (px(y, x) - predicted) & 0xff;
    }
    rows.push(row);
  }
  const png = encodePng({ width, height, data: Buffer.alloc(width * height * 4) });
  // encodePng's signature, with an RGB header and the filtered rows.
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([png.subarray(0, 8), pngChunk('IHDR', header), pngChunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), pngChunk('IEND', Buffer.alloc(0))]);
}

describe('test PNG codec and image difference', () => {
  it('decodes what it encodes, pixel for pixel', () => {
    const img = randomImage(37, 23, 7);
    const back = decodePng(encodePng(img));
    assert.deepEqual([back.width, back.height], [37, 23]);
    assert.ok(back.data.equals(img.data));
  });

  it('undoes every row filter of an RGB image (none, sub, up, average, Paeth)', () => {
    const rnd = mulberry32(11);
    const rgb = Buffer.alloc(19 * 10 * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = Math.floor(rnd() * 256);
    const img = decodePng(filteredRgbPng(19, 10, rgb));
    for (let i = 0; i < 19 * 10; i++) {
      assert.deepEqual([...img.data.subarray(i * 4, i * 4 + 4)], [rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2], 255], `pixel ${i}`);
    }
  });

  it('counts the pixels that differ by more than the threshold, and marks them', () => {
    const a = randomImage(10, 10, 3);
    const b = { ...a, data: Buffer.from(a.data) };
    b.data[0] = (b.data[0]! + 100) % 256; // pixel 0: far off
    b.data[4 * 7 + 2] = (b.data[4 * 7 + 2]! + 128) % 256; // pixel 7: far off
    b.data[4 * 9 + 1] = b.data[4 * 9 + 1]! > 250 ? b.data[4 * 9 + 1]! - 3 : b.data[4 * 9 + 1]! + 3; // pixel 9: within the threshold
    const d = diffImages(a, b, 8);
    assert.deepEqual([d.pixels, d.fraction], [2, 0.02]);
    assert.deepEqual([...d.picture.data.subarray(0, 4)], [255, 0, 255, 255]);
    assert.deepEqual([...d.picture.data.subarray(28, 32)], [255, 0, 255, 255]);
    assert.notDeepEqual([...d.picture.data.subarray(36, 40)], [255, 0, 255, 255]);
    assert.throws(() => diffImages(a, randomImage(10, 9, 3), 8), /differ in size: 10×10 and 10×9/);
  });

  it('refuses what is not a PNG it can read', () => {
    assert.throws(() => decodePng(Buffer.from('GIF89a')), /not a PNG file/);
  });
});
