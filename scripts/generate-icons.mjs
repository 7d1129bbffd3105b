#!/usr/bin/env node
// Generates every icon the tray app and its installers use, in pure Node, into assets/:
//
//   assets/icons/NxN.png           the app icon (a shield with a check mark), N = 16 ... 1024 (Linux)
//   assets/icon.ico                the app icon for Windows: PNG entries 16 ... 256
//   assets/icon.icns               the app icon for macOS: PNG entries icp4 ... ic14
//   assets/tray/<state>.png        tray icons, 16 px, coloured (Windows, Linux), and <state>@2x.png, 32 px
//   assets/tray/<state>Template.png, <state>Template@2x.png
//                                  macOS menu-bar template images: black and alpha only, the state
//                                  told by the glyph's shape, because macOS tints template images
//
// The output is deterministic: the same bytes on every run, machine and Node version. Only
// + - * / and Math.sqrt/round/floor/ceil/min/max are used for the geometry (no sin/cos, whose
// last bit may differ between V8 versions), and the PNG data is compressed by the small DEFLATE
// encoder below (fixed Huffman codes) instead of node:zlib, whose output may change with the zlib
// that Node bundles. The generated files are committed; test/unit/icons.test.ts checks that they
// equal what this script produces.
//
// Usage: node scripts/generate-icons.mjs              write into assets/
//        node scripts/generate-icons.mjs --out DIR    write into DIR instead
//        node scripts/generate-icons.mjs --check      exit 1 if the files in assets/ differ
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const APP_ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS entry types (all PNG) and the pixel size each must have. */
export const ICNS_ENTRIES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024], // 512x512@2x
  ['ic11', 32], // 16x16@2x
  ['ic12', 64], // 32x32@2x
  ['ic13', 256], // 128x128@2x
  ['ic14', 512], // 256x256@2x
];
// "checking" has no icon of its own: src/tray/tray-icon.ts draws it with the unknown icon.
export const TRAY_STATES = ['compliant', 'warning', 'noncompliant', 'unknown', 'offline'];

// ---------------------------------------------------------------------------------------------
// CRC-32 (PNG chunks) and Adler-32 (zlib stream)

const CRC_TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c >>> 0;
}

export function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes) {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(i + 3800, bytes.length);
    for (; i < end; i++) {
      a += bytes[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// DEFLATE (RFC 1951) with the fixed Huffman codes, greedy LZ77 over hash chains, in a zlib
// (RFC 1950) wrapper. Deterministic by construction.

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

class BitWriter {
  constructor(capacity) {
    this.bytes = new Uint8Array(Math.max(64, capacity));
    this.length = 0;
    this.bitBuffer = 0;
    this.bitCount = 0;
  }

  #push(byte) {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = byte;
  }

  /** Writes `count` bits of `value`, least significant bit first (DEFLATE's bit order). */
  bits(value, count) {
    for (let i = 0; i < count; i++) {
      this.bitBuffer |= ((value >>> i) & 1) << this.bitCount;
      if (++this.bitCount === 8) {
        this.#push(this.bitBuffer);
        this.bitBuffer = 0;
        this.bitCount = 0;
      }
    }
  }

  /** Writes a Huffman code, most significant bit first. */
  code(value, count) {
    for (let i = count - 1; i >= 0; i--) this.bits((value >>> i) & 1, 1);
  }

  finish() {
    if (this.bitCount > 0) this.#push(this.bitBuffer);
    this.bitBuffer = 0;
    this.bitCount = 0;
    return this.bytes.subarray(0, this.length);
  }
}

function writeLiteral(out, value) {
  if (value < 144) out.code(0x30 + value, 8);
  else if (value < 256) out.code(0x190 + value - 144, 9);
  else if (value < 280) out.code(value - 256, 7);
  else out.code(0xc0 + value - 280, 8);
}

function writeMatch(out, length, distance) {
  let l = LENGTH_BASE.length - 1;
  while (LENGTH_BASE[l] > length) l--;
  writeLiteral(out, 257 + l);
  out.bits(length - LENGTH_BASE[l], LENGTH_EXTRA[l]);
  let d = DIST_BASE.length - 1;
  while (DIST_BASE[d] > distance) d--;
  out.code(d, 5);
  out.bits(distance - DIST_BASE[d], DIST_EXTRA[d]);
}

const WINDOW = 32768;
const MAX_MATCH = 258;
const MAX_CHAIN = 48;
const HASH_SIZE = 1 << 15;

export function zlibCompress(data) {
  const out = new BitWriter(data.length / 4 + 1024);
  out.bits(0x78, 8); // CMF: deflate, 32 KiB window
  out.bits(0x01, 8); // FLG: no dictionary, check bits so that (CMF * 256 + FLG) % 31 === 0
  out.bits(1, 1); // BFINAL: one block
  out.bits(1, 2); // BTYPE 01: fixed Huffman codes
  const head = new Int32Array(HASH_SIZE).fill(-1);
  const prev = new Int32Array(data.length).fill(-1);
  const hashAt = (i) => ((data[i] << 10) ^ (data[i + 1] << 5) ^ data[i + 2]) & (HASH_SIZE - 1);
  const insert = (i) => {
    if (i + 2 >= data.length) return;
    const h = hashAt(i);
    prev[i] = head[h];
    head[h] = i;
  };
  let i = 0;
  while (i < data.length) {
    let bestLength = 0;
    let bestDistance = 0;
    if (i + 2 < data.length) {
      const limit = Math.min(MAX_MATCH, data.length - i);
      let candidate = head[hashAt(i)];
      for (let chain = 0; candidate >= 0 && i - candidate <= WINDOW && chain < MAX_CHAIN; chain++) {
        let length = 0;
        while (length < limit && data[candidate + length] === data[i + length]) length++;
        if (length > bestLength) {
          bestLength = length;
          bestDistance = i - candidate;
          if (length === limit) break;
        }
        candidate = prev[candidate];
      }
    }
    if (bestLength >= 3) {
      writeMatch(out, bestLength, bestDistance);
      for (let k = 0; k < bestLength; k++) insert(i + k);
      i += bestLength;
    } else {
      writeLiteral(out, data[i]);
      insert(i);
      i++;
    }
  }
  writeLiteral(out, 256); // end of block
  const body = out.finish();
  const result = new Uint8Array(body.length + 4);
  result.set(body);
  new DataView(result.buffer).setUint32(body.length, adler32(data));
  return result;
}

// ---------------------------------------------------------------------------------------------
// PNG (ISO/IEC 15948): 8-bit RGBA, no interlace, per-row filter chosen by the usual
// minimum-sum-of-absolute-differences heuristic; chunks IHDR, IDAT, IEND only.

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function chunk(type, data) {
  const bytes = new Uint8Array(12 + data.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) bytes[4 + i] = type.charCodeAt(i);
  bytes.set(data, 8);
  view.setUint32(8 + data.length, crc32(bytes.subarray(4, 8 + data.length)));
  return bytes;
}

function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

function filterRows(rgba, size) {
  const stride = size * 4;
  const out = new Uint8Array(size * (stride + 1));
  const candidate = new Uint8Array(stride);
  const best = new Uint8Array(stride);
  for (let y = 0; y < size; y++) {
    const row = y * stride;
    let bestType = 0;
    let bestScore = Infinity;
    for (let type = 0; type < 5; type++) {
      let score = 0;
      for (let x = 0; x < stride; x++) {
        const raw = rgba[row + x];
        const left = x >= 4 ? rgba[row + x - 4] : 0;
        const up = y > 0 ? rgba[row - stride + x] : 0;
        const upLeft = y > 0 && x >= 4 ? rgba[row - stride + x - 4] : 0;
        let predicted = 0;
        if (type === 1) predicted = left;
        else if (type === 2) predicted = up;
        else if (type === 3) predicted = (left + up) >> 1;
        else if (type === 4) predicted = paeth(left, up, upLeft);
        const value = (raw - predicted) & 0xff;
        candidate[x] = value;
        score += value < 128 ? value : 256 - value;
      }
      if (score < bestScore) {
        bestScore = score;
        bestType = type;
        best.set(candidate);
      }
    }
    out[y * (stride + 1)] = bestType;
    out.set(best, y * (stride + 1) + 1);
  }
  return out;
}

export function encodePng(rgba, size) {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, size);
  view.setUint32(4, size);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method 0
  ihdr[12] = 0; // no interlace
  const parts = [PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', zlibCompress(filterRows(rgba, size))), chunk('IEND', new Uint8Array(0))];
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------
// ICO (PNG entries, Windows Vista and later) and ICNS (PNG entries)

export function encodeIco(pngsBySize) {
  const sizes = [...pngsBySize.keys()].sort((a, b) => a - b);
  const header = Buffer.alloc(6 + 16 * sizes.length);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type 1: icon
  header.writeUInt16LE(sizes.length, 4);
  let offset = header.length;
  sizes.forEach((size, index) => {
    const png = pngsBySize.get(size);
    const entry = 6 + 16 * index;
    header.writeUInt8(size >= 256 ? 0 : size, entry); // width; 0 means 256
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1); // height
    header.writeUInt8(0, entry + 2); // no palette
    header.writeUInt8(0, entry + 3); // reserved
    header.writeUInt16LE(1, entry + 4); // colour planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...sizes.map((size) => pngsBySize.get(size))]);
}

export function encodeIcns(entries) {
  const parts = entries.map(([type, png]) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const header = Buffer.alloc(8);
  header.write('icns', 0, 'latin1');
  header.writeUInt32BE(8 + parts.reduce((sum, part) => sum + part.length, 0), 4);
  return Buffer.concat([header, ...parts]);
}

// ---------------------------------------------------------------------------------------------
// Geometry: shapes in a unit square (x right, y down) with an inside test, rasterised by
// supersampling.

function cubic(p0, p1, p2, p3, steps) {
  const points = [];
  for (let s = 1; s <= steps; s++) {
    const t = s / steps;
    const u = 1 - t;
    const a = u * u * u;
    const b = 3 * u * u * t;
    const c = 3 * u * t * t;
    const d = t * t * t;
    points.push([a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]]);
  }
  return points;
}

function bboxOf(points, pad = 0) {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  return [Math.min(...xs) - pad, Math.min(...ys) - pad, Math.max(...xs) + pad, Math.max(...ys) + pad];
}

/** A closed polygon, even-odd rule; the crossings of the last sample row are cached. */
function polygon(points) {
  const edges = points.map((p, i) => [p, points[(i + 1) % points.length]]);
  let cachedY = NaN;
  let crossings = [];
  return {
    bbox: bboxOf(points),
    inside(x, y) {
      if (y !== cachedY) {
        cachedY = y;
        crossings = [];
        for (const [a, b] of edges) {
          if (a[1] > y !== b[1] > y) crossings.push(a[0] + ((y - a[1]) * (b[0] - a[0])) / (b[1] - a[1]));
        }
        crossings.sort((m, n) => m - n);
      }
      let count = 0;
      for (const cx of crossings) {
        if (cx > x) break;
        count++;
      }
      return (count & 1) === 1;
    },
  };
}

/** A polyline stroked with round caps and joins. */
function stroke(points, width) {
  const r2 = (width / 2) * (width / 2);
  const segments = [];
  for (let i = 0; i + 1 < points.length; i++) segments.push([points[i], points[i + 1]]);
  if (points.length === 1) segments.push([points[0], points[0]]);
  return {
    bbox: bboxOf(points, width / 2),
    inside(x, y) {
      for (const [a, b] of segments) {
        const dx = b[0] - a[0];
        const dy = b[1] - a[1];
        const lengthSquared = dx * dx + dy * dy;
        let t = lengthSquared === 0 ? 0 : ((x - a[0]) * dx + (y - a[1]) * dy) / lengthSquared;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const ex = a[0] + t * dx - x;
        const ey = a[1] + t * dy - y;
        if (ex * ex + ey * ey <= r2) return true;
      }
      return false;
    },
  };
}

function disc(center, radius) {
  return stroke([center], radius * 2);
}

function union(...shapes) {
  return {
    bbox: [Math.min(...shapes.map((s) => s.bbox[0])), Math.min(...shapes.map((s) => s.bbox[1])), Math.max(...shapes.map((s) => s.bbox[2])), Math.max(...shapes.map((s) => s.bbox[3]))],
    inside: (x, y) => shapes.some((shape) => shape.inside(x, y)),
  };
}

function intersect(a, b) {
  return { bbox: a.bbox, inside: (x, y) => a.inside(x, y) && b.inside(x, y) };
}

/**
 * The shield: a swooping top edge, straight sides, and a curved taper to a point. `top` and
 * `bottom` are the y of the top centre and the bottom point; `halfWidth` is half the width.
 */
function shieldOutline(cx, top, bottom, halfWidth) {
  const h = bottom - top;
  const shoulderY = top + 0.135 * h;
  const waistY = top + 0.47 * h;
  const left = [
    [cx, top],
    ...cubic([cx, top], [cx - 0.42 * halfWidth, top + 0.1 * h], [cx - 0.72 * halfWidth, shoulderY], [cx - halfWidth, shoulderY], 24),
    ...cubic([cx - halfWidth, shoulderY], [cx - halfWidth, shoulderY], [cx - halfWidth, waistY], [cx - halfWidth, waistY], 1),
    ...cubic([cx - halfWidth, waistY], [cx - halfWidth, top + 0.76 * h], [cx - 0.5 * halfWidth, top + 0.9 * h], [cx, bottom], 32),
  ];
  const right = left.slice(1, -1).reverse().map(([x, y]) => [2 * cx - x, y]);
  return [...left, ...right];
}

function shield(cx, top, bottom, halfWidth) {
  return polygon(shieldOutline(cx, top, bottom, halfWidth));
}

// Glyphs, in the coordinates of a shield drawn with shieldFor('tray').
const GLYPHS = {
  check: (w) => stroke([[0.305, 0.5], [0.445, 0.64], [0.7, 0.375]], w),
  exclamation: (w) => union(stroke([[0.5, 0.275], [0.5, 0.545]], w), disc([0.5, 0.72], w * 0.62)),
  cross: (w) => union(stroke([[0.355, 0.34], [0.645, 0.63]], w), stroke([[0.645, 0.34], [0.355, 0.63]], w)),
  question: (w) =>
    union(
      stroke(
        [
          [0.385, 0.37],
          ...cubic([0.385, 0.37], [0.385, 0.225], [0.615, 0.225], [0.615, 0.37], 16),
          ...cubic([0.615, 0.37], [0.615, 0.47], [0.5, 0.46], [0.5, 0.56], 12),
        ],
        w,
      ),
      disc([0.5, 0.725], w * 0.62),
    ),
};

// ---------------------------------------------------------------------------------------------
// Raster: premultiplied RGBA in floats, painted shape by shape, then rounded to 8 bits.

class Canvas {
  constructor(size) {
    this.size = size;
    this.pixels = new Float64Array(size * size * 4);
    this.samples = size <= 64 ? 8 : size <= 256 ? 6 : 4;
  }

  coverage(shape) {
    const { size, samples } = this;
    const result = new Float64Array(size * size);
    const x0 = Math.max(0, Math.floor(shape.bbox[0] * size) - 1);
    const y0 = Math.max(0, Math.floor(shape.bbox[1] * size) - 1);
    const x1 = Math.min(size, Math.ceil(shape.bbox[2] * size) + 1);
    const y1 = Math.min(size, Math.ceil(shape.bbox[3] * size) + 1);
    const weight = 1 / (samples * samples);
    for (let py = y0; py < y1; py++) {
      for (let sy = 0; sy < samples; sy++) {
        const y = (py + (sy + 0.5) / samples) / size;
        for (let px = x0; px < x1; px++) {
          let hits = 0;
          for (let sx = 0; sx < samples; sx++) {
            if (shape.inside((px + (sx + 0.5) / samples) / size, y)) hits++;
          }
          result[py * size + px] += hits * weight;
        }
      }
    }
    return result;
  }

  /** Source-over with a colour [r, g, b] (0-255) or a function of the pixel's y in 0..1. */
  fill(shape, color, opacity = 1) {
    const cover = this.coverage(shape);
    const { size, pixels } = this;
    for (let i = 0; i < cover.length; i++) {
      const a = cover[i] * opacity;
      if (a === 0) continue;
      const [r, g, b] = typeof color === 'function' ? color((Math.floor(i / size) + 0.5) / size) : color;
      const keep = 1 - a;
      pixels[i * 4] = r * a + pixels[i * 4] * keep;
      pixels[i * 4 + 1] = g * a + pixels[i * 4 + 1] * keep;
      pixels[i * 4 + 2] = b * a + pixels[i * 4 + 2] * keep;
      pixels[i * 4 + 3] = a + pixels[i * 4 + 3] * keep;
    }
  }

  /** Destination-out: makes the shape transparent. */
  clear(shape) {
    const cover = this.coverage(shape);
    for (let i = 0; i < cover.length; i++) {
      const keep = 1 - cover[i];
      for (let c = 0; c < 4; c++) this.pixels[i * 4 + c] *= keep;
    }
  }

  /** Straight (non-premultiplied) 8-bit RGBA; fully transparent pixels are 0,0,0,0. */
  rgba() {
    const out = new Uint8Array(this.size * this.size * 4);
    for (let i = 0; i < this.size * this.size; i++) {
      const alpha = Math.min(1, Math.max(0, this.pixels[i * 4 + 3]));
      const a8 = Math.round(alpha * 255);
      if (a8 === 0) continue;
      for (let c = 0; c < 3; c++) out[i * 4 + c] = Math.min(255, Math.max(0, Math.round(this.pixels[i * 4 + c] / alpha)));
      out[i * 4 + 3] = a8;
    }
    return out;
  }
}

const mix = (from, to, t) => from.map((value, index) => value + (to[index] - value) * t);

// ---------------------------------------------------------------------------------------------
// The icons

const BLUE_TOP = [59, 130, 246];
const BLUE_BOTTOM = [29, 78, 216];
const WHITE = [255, 255, 255];
const BLACK = [0, 0, 0];

export function drawAppIcon(size) {
  const canvas = new Canvas(size);
  const body = shield(0.5, 0.055, 0.955, 0.385);
  canvas.fill(body, (y) => mix(BLUE_TOP, BLUE_BOTTOM, y));
  // A lighter left half on an inset shield gives the flat shield some depth.
  const inset = shield(0.5, 0.115, 0.895, 0.325);
  const leftHalf = polygon([[0, 0], [0.5, 0], [0.5, 1], [0, 1]]);
  canvas.fill(intersect(inset, leftHalf), WHITE, 0.12);
  // The check mark, never thinner than 2 px.
  const width = Math.max(0.095, 2 / size);
  canvas.fill(stroke([[0.315, 0.515], [0.448, 0.645], [0.69, 0.385]], width), WHITE);
  return canvas.rgba();
}

// Tray states: shield colour and glyph (coloured icons); glyph shape only (templates).
export const TRAY_STYLE = {
  compliant: { color: [30, 142, 62], glyph: 'check' },
  warning: { color: [227, 116, 0], glyph: 'exclamation' },
  noncompliant: { color: [217, 48, 37], glyph: 'cross' },
  unknown: { color: [112, 117, 122], glyph: 'question' },
  offline: { color: [128, 134, 139], glyph: 'slash' },
};

const trayShield = () => shield(0.5, 0.035, 0.975, 0.43);
// The offline slash runs corner to corner across the shield, with a transparent gap on both
// sides so that it reads as "struck through" on any background.
const SLASH = [[0.16, 0.1], [0.84, 0.9]];

export function drawTrayIcon(state, size, template) {
  const style = TRAY_STYLE[state];
  const canvas = new Canvas(size);
  const glyphWidth = Math.max(0.125, 2 / size);
  const color = template ? BLACK : style.color;
  if (style.glyph === 'slash') {
    const slashWidth = Math.max(0.11, 1.7 / size);
    canvas.fill(trayShield(), color);
    canvas.clear(stroke(SLASH, slashWidth * 2.2));
    canvas.fill(stroke(SLASH, slashWidth), color);
    return canvas.rgba();
  }
  canvas.fill(trayShield(), color);
  const glyph = GLYPHS[style.glyph](glyphWidth);
  if (template) canvas.clear(glyph);
  else canvas.fill(glyph, WHITE);
  return canvas.rgba();
}

// ---------------------------------------------------------------------------------------------
// Everything, as a map from the path under assets/ to the bytes

export function generateIcons() {
  const files = new Map();
  const appPngs = new Map();
  for (const size of APP_ICON_SIZES) {
    const png = encodePng(drawAppIcon(size), size);
    appPngs.set(size, png);
    files.set(`icons/${size}x${size}.png`, png);
  }
  files.set('icon.ico', encodeIco(new Map(ICO_SIZES.map((size) => [size, appPngs.get(size)]))));
  files.set('icon.icns', encodeIcns(ICNS_ENTRIES.map(([type, size]) => [type, appPngs.get(size)])));
  for (const state of TRAY_STATES) {
    for (const template of [false, true]) {
      for (const [suffix, size] of [['', 16], ['@2x', 32]]) {
        files.set(`tray/${state}${template ? 'Template' : ''}${suffix}.png`, encodePng(drawTrayIcon(state, size, template), size));
      }
    }
  }
  return files;
}

function main(argv) {
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? resolve(argv[outIndex + 1] ?? '') : join(REPO, 'assets');
  const files = generateIcons();
  if (argv.includes('--check')) {
    const stale = [...files].filter(([name, bytes]) => {
      try {
        return !readFileSync(join(out, name)).equals(bytes);
      } catch {
        return true;
      }
    });
    for (const [name] of stale) console.error(`out of date: ${join(out, name)}`);
    if (stale.length > 0) console.error('run: node scripts/generate-icons.mjs');
    return stale.length > 0 ? 1 : 0;
  }
  for (const [name, bytes] of files) {
    mkdirSync(dirname(join(out, name)), { recursive: true });
    writeFileSync(join(out, name), bytes);
  }
  console.log(`wrote ${files.size} icon files to ${out}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
