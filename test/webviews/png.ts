/**
 * Just enough PNG for comparing screenshots: decode 8-bit, non-interlaced greyscale, RGB and
 * RGBA images (what Chromium writes) to RGBA pixels, encode RGBA pixels, and count the
 * pixels where two images differ.
 */
import * as zlib from 'node:zlib';

export interface Image {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, row by row. */
  data: Buffer;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Bytes a pixel per colour type: greyscale, RGB, greyscale + alpha, RGBA. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export function decodePng(file: Buffer): Image {
  if (!file.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file');
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < file.length;) {
    const length = file.readUInt32BE(at);
    const type = file.toString('latin1', at + 4, at + 8);
    const body = file.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      channels = CHANNELS[colour!] ?? 0;
      if (depth !== 8 || !channels || interlace !== 0) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${interlace}`);
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels]! : 0;
      const b = up[x]!;
      const c = x >= channels ? up[x - channels]! : 0;
      let v = line[x]!;
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) v += paeth(a, b, c);
      else if (filter !== 0) throw new Error(`bad PNG filter ${filter} on row ${y}`);
      out[x] = v & 0xff;
    }
  }
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const p = pixels.subarray(i * channels, (i + 1) * channels);
    const [r, g, b, alpha] = channels >= 3 ? [p[0]!, p[1]!, p[2]!, channels === 4 ? p[3]! : 255] : [p[0]!, p[0]!, p[0]!, channels === 2 ? p[1]! : 255];
    data.writeUInt32BE(((r << 24) | (g << 16) | (b << 8) | alpha) >>> 0, i * 4);
  }
  return { width, height, data };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export function encodePng(img: Image): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(img.width, 0);
  header.writeUInt32BE(img.height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const stride = img.width * 4;
  const raw = Buffer.alloc(img.height * (stride + 1));
  for (let y = 0; y < img.height; y++) img.data.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  return Buffer.concat([SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', zlib.deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** One PNG chunk: length, type, body and CRC. */
export function pngChunk(type: string, body: Buffer): Buffer {
  const out = Buffer.alloc(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  body.copy(out, 8);
  out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}

export interface Difference {
  /** Pixels where some colour channel differs by more than the threshold. */
  pixels: number;
  /** The same, as a fraction of all pixels. */
  fraction: number;
  /** The second image faded, with the differing pixels in magenta: where to look. */
  picture: Image;
}

/** Compares two images of the same size pixel by pixel; `threshold` (0–255) ignores anti-aliasing noise. */
export function diffImages(a: Image, b: Image, threshold: number): Difference {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`the images differ in size: ${a.width}×${a.height} and ${b.width}×${b.height}`);
  const picture = { width: a.width, height: a.height, data: Buffer.alloc(a.data.length) };
  let pixels = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    let differs = false;
    for (let k = 0; k < 4; k++) if (Math.abs(a.data[i + k]! - b.data[i + k]!) > threshold) differs = true;
    if (differs) {
      pixels++;
      picture.data.set([255, 0, 255, 255], i);
    } else {
      const grey = (b.data[i]! + b.data[i + 1]! + b.data[i + 2]!) / 3;
      const faded = Math.round(255 - (255 - grey) / 4);
      picture.data.set([faded, faded, faded, 255], i);
    }
  }
  return { pixels, fraction: pixels / (a.width * a.height), picture };
}
