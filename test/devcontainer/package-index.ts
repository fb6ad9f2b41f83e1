/**
 * A local Python package index for the build checks: pure-Python wheels written here (tiny
 * stand-ins named like the packages real projects use) and a PEP 503 "simple" server on
 * 127.0.0.1, so pip (and the uv and conda stand-ins) really download and install them.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/** One fake distribution: its modules' code, version and what it requires. */
export interface FakePackage {
  name: string;
  version: string;
  /** Top-level module → its `__init__.py` text. */
  modules: Record<string, string>;
  requires?: string[];
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip archive of `entries` (deflated), as wheels are. */
function zip(entries: [name: string, data: Buffer][]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const packed = zlib.deflateRawSync(data);
    const nameBuf = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(0, 10);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, nameBuf, packed);
    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(0x02014b50, 0);
    cen.writeUInt16LE(20, 4);
    cen.writeUInt16LE(20, 6);
    cen.writeUInt16LE(0, 8);
    cen.writeUInt16LE(8, 10);
    cen.writeUInt32LE(0, 12);
    cen.writeUInt32LE(crc, 16);
    cen.writeUInt32LE(packed.length, 20);
    cen.writeUInt32LE(data.length, 24);
    cen.writeUInt16LE(nameBuf.length, 28);
    cen.writeUInt32LE(0, 30);
    cen.writeUInt32LE(0, 34);
    cen.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    cen.writeUInt32LE(offset, 42);
    central.push(cen, nameBuf);
    offset += 30 + nameBuf.length + packed.length;
  }
  const cenBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cenBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cenBuf, end]);
}

const b64 = (buf: Buffer) => createHash('sha256').update(buf).digest('base64url');

/** Writes `<dist>-<version>-py3-none-any.whl` for a fake package into `dir`; returns the file name. */
export function writeWheel(dir: string, pkg: FakePackage): string {
  const dist = pkg.name.replace(/[-_.]+/g, '_');
  const info = `${dist}-${pkg.version}.dist-info`;
  const files: [string, Buffer][] = Object.entries(pkg.modules).map(([mod, code]) => [`${mod.replace(/\./g, '/')}/__init__.py`, Buffer.from(code)]);
  files.push([`${info}/METADATA`, Buffer.from(['Metadata-Version: 2.1', `Name: ${pkg.name}`, `Version: ${pkg.version}`, ...(pkg.requires ?? []).map((r) => `Requires-Dist: ${r}`), ''].join('\n'))]);
  files.push([`${info}/WHEEL`, Buffer.from('Wheel-Version: 1.0\nGenerator: mlops-workbench-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n')]);
  const record =
    files
      .map(([n, d]) => `${n},sha256=${b64(d)},${d.length}`)
      .concat(`${info}/RECORD,,`)
      .join('\n') + '\n';
  files.push([`${info}/RECORD`, Buffer.from(record)]);
  const name = `${dist}-${pkg.version}-py3-none-any.whl`;
  fs.writeFileSync(path.join(dir, name), zip(files));
  return name;
}

/** A running PEP 503 index over the wheels of a folder. */
export interface PackageIndex {
  /** `http://127.0.0.1:PORT/simple/` */
  url: string;
  port: number;
  /** Project names pip asked for, in order (normalised). */
  requested: string[];
  close(): Promise<void>;
}

const normalize = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');

/** Serves `dir`'s wheels on 127.0.0.1: `/simple/<project>/` pages and the files, on `port` when it is free, else any port. */
export async function servePackageIndex(dir: string, port = 0): Promise<PackageIndex> {
  const requested: string[] = [];
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const wheels = fs.readdirSync(dir).filter((f) => f.endsWith('.whl'));
    const project = /^\/simple\/([^/]+)\/?$/.exec(url);
    if (url === '/simple/' || url === '/simple') {
      const names = [...new Set(wheels.map((w) => normalize(w.split('-')[0]!)))];
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!DOCTYPE html><html><body>${names.map((n) => `<a href="/simple/${n}/">${n}</a>`).join('\n')}</body></html>`);
      return;
    }
    if (project) {
      const want = normalize(project[1]!);
      requested.push(want);
      const mine = wheels.filter((w) => normalize(w.split('-')[0]!) === want);
      if (mine.length === 0) {
        res.writeHead(404).end('not here');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<!DOCTYPE html><html><body>${mine
          .map(
            (w) =>
              `<a href="/files/${w}#sha256=${createHash('sha256')
                .update(fs.readFileSync(path.join(dir, w)))
                .digest('hex')}">${w}</a>`,
          )
          .join('\n')}</body></html>`,
      );
      return;
    }
    const file = /^\/files\/([^/]+\.whl)$/.exec(url);
    if (file && wheels.includes(file[1]!)) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(fs.readFileSync(path.join(dir, file[1]!)));
      return;
    }
    res.writeHead(404).end('not here');
  });
  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
  let bound: number;
  try {
    bound = await listen(port);
  } catch {
    bound = await listen(0);
  }
  return {
    url: `http://127.0.0.1:${bound}/simple/`,
    port: bound,
    requested,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
