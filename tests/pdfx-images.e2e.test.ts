// The PDF/X pass with images converted ahead and cached by content: same pixels as Ghostscript
// converting them inline, cache hits on the second build, a damaged entry is only a miss.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Seed, seedBuild } from './helpers/seed.js';
import { cacheKey, openCache } from '../scripts/cache/cache.js';
import { parseCMap, writeCMap } from '../scripts/pdf/tounicode.js';
import { makePdfx, pageRanges } from '../scripts/press/pdfx.js';
import { boxes, fonts, info, pageCount, pageText } from './helpers/pdf.js';

const out = mkdtempSync(path.join(tmpdir(), 'folio-pdfx-img-'));
let result: Seed['result'];
let press: Uint8Array;
/** The press PDF's images: one per figure of the manuscript (the cover is drawn, not an image). */
const figures = () => result.book.figures.length;
const saved = { ...process.env };

beforeAll(async () => {
  const seed = await seedBuild();
  result = seed.result;
  press = readFileSync(seed.file('press'));
});
afterEach(() => {
  process.env.FOLIO_CACHE_DIR = saved.FOLIO_CACHE_DIR;
  process.env.FOLIO_CACHE = saved.FOLIO_CACHE;
  if (saved.FOLIO_CACHE_DIR === undefined) delete process.env.FOLIO_CACHE_DIR;
  if (saved.FOLIO_CACHE === undefined) delete process.env.FOLIO_CACHE;
});

/** Every image of a PDF as page, colour space and decoded bytes, in page order. */
function images(pdf: Uint8Array, name: string): { page: number; color: string; data: Buffer }[] {
  const file = path.join(out, name);
  writeFileSync(file, pdf);
  const rows = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' })
    .split('\n')
    .slice(2)
    .filter((l) => /\bimage\b/.test(l));
  return rows.map((l) => {
    const f = l.trim().split(/\s+/);
    const data = execFileSync('qpdf', [`--show-object=${f[10]}`, '--filtered-stream-data', file], {
      maxBuffer: 64 * 2 ** 20,
    });
    return { page: Number(f[0]), color: f[5]!, data };
  });
}

describe('PDF/X images converted ahead', () => {
  it(
    'come out pixel for pixel as Ghostscript converts them ' + 'inline, and the second build takes them from the cache',
    async () => {
      // three ways to the same pixels: Ghostscript converting as it goes (inline), converted ahead and
      // passed through it, converted ahead and put back after it (stand-ins, the default)
      process.env.FOLIO_CACHE_DIR = mkdtempSync(path.join(tmpdir(), 'folio-cache-'));
      const inline = await makePdfx(press, result.book.meta, { images: 'inline' });
      expect(inline.images.images).toBe(0);
      const cold = await makePdfx(press, result.book.meta);
      expect(cold.images).toEqual({ images: figures(), hits: 0, skipped: 0 });
      const warm = await makePdfx(press, result.book.meta);
      expect(warm.images).toEqual({ images: figures(), hits: figures(), skipped: 0 });
      // converted images handed to Ghostscript, instead of stand-ins put back after it
      const through = await makePdfx(press, result.book.meta, { images: 'converted' });

      const a = images(inline.data, 'inline.pdf');
      const b = images(cold.data, 'cold.pdf');
      const c = images(warm.data, 'warm.pdf');
      const d = images(through.data, 'through.pdf');
      expect(a.map((i) => i.page)).toEqual(result.book.figures.map((f) => result.pagination!.figurePages[f.id]));
      expect(a).toHaveLength(figures());
      for (const list of [b, c, d]) {
        expect(list.map((i) => i.page)).toEqual(a.map((i) => i.page));
        for (const [k, img] of list.entries()) {
          expect(img.color).toBe('cmyk');
          expect(img.data.byteLength).toBe(1500 * 1000 * 4);
          expect(img.data.equals(a[k]!.data)).toBe(true);
        }
      }
      // the cached build is byte-identical to the cold one
      expect(Buffer.from(warm.data).equals(Buffer.from(cold.data))).toBe(true);
    },
  );

  it('treats a damaged cache entry as a miss and still converts the image', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'folio-cache-'));
    process.env.FOLIO_CACHE_DIR = dir;
    const first = await makePdfx(press, result.book.meta);
    const entries = readdirSync(path.join(dir, 'cmyk-images'), { recursive: true, withFileTypes: true }).filter((e) =>
      e.isFile(),
    );
    // one cache entry per image file (the seed's figures each have their own)
    expect(entries).toHaveLength(new Set(result.book.figures.map((f) => f.file)).size);
    const victim = path.join(entries[0]!.parentPath, entries[0]!.name);
    const bytes = readFileSync(victim);
    // eslint-disable-next-line no-bitwise -- flip the bits of one byte
    bytes[bytes.length - 10]! ^= 0xff;
    writeFileSync(victim, bytes);
    const again = await makePdfx(press, result.book.meta);
    expect(again.images).toEqual({ images: figures(), hits: figures() - 1, skipped: 0 });
    expect(Buffer.from(again.data).equals(Buffer.from(first.data))).toBe(true);
  });

  it('works with the cache turned off', async () => {
    process.env.FOLIO_CACHE = 'off';
    const a = await makePdfx(press, result.book.meta);
    const b = await makePdfx(press, result.book.meta);
    expect(a.images).toEqual({ images: figures(), hits: 0, skipped: 0 });
    expect(b.images.hits).toBe(0);
    const file = path.join(out, 'nocache.pdf');
    writeFileSync(file, a.data);
    // the cover stays vector: its title is text, not an image flattened by Ghostscript
    expect(pageText(file, 1).replace(/\s+/g, '')).toContain('缘藏30载');
    expect(
      execFileSync('pdfimages', ['-f', '1', '-l', '1', '-list', file], { encoding: 'utf8' })
        .split('\n')
        .slice(2)
        .filter(Boolean),
    ).toHaveLength(0);
  });
});

describe('content-keyed cache', () => {
  it('returns what was put, misses on a changed key, length-prefixes key parts', async () => {
    process.env.FOLIO_CACHE_DIR = mkdtempSync(path.join(tmpdir(), 'folio-cache-'));
    const cache = openCache('test');
    const key = cacheKey('a', 'bc');
    expect(key).not.toBe(cacheKey('ab', 'c'));
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, Buffer.from('字节'));
    expect((await cache.get(key))?.toString()).toBe('字节');
    expect(await cache.get(cacheKey('a', 'bd'))).toBeUndefined();
  });

  it('prunes the least recently used entries first, a hit counting as a use', async () => {
    process.env.FOLIO_CACHE_DIR = mkdtempSync(path.join(tmpdir(), 'folio-cache-'));
    const cache = openCache('test');
    const keys = ['a', 'b', 'c'].map((k) => cacheKey(k));
    for (const [i, k] of keys.entries()) {
      await cache.put(k, Buffer.alloc(1000, i));
      // distinct ages: a oldest, c newest
      const t = new Date(Date.now() - (3 - i) * 60_000);
      utimesSync(path.join(cache.dir!, k.slice(0, 2), k), t, t);
    }
    expect(await cache.get(keys[0]!)).toBeDefined(); // a is used now: the newest
    expect(await cache.prune(2 * 1032 + 10)).toBe(1); // room for two entries (32-byte hash each)
    expect(await cache.get(keys[1]!)).toBeUndefined(); // b, the least recently used, went
    expect(await cache.get(keys[0]!)).toBeDefined();
    expect(await cache.get(keys[2]!)).toBeDefined();
  });

  it('never fails the caller when its folder cannot be written', async () => {
    // a regular file where the folder should be: every mkdir below it fails with ENOTDIR
    const blocker = path.join(mkdtempSync(path.join(tmpdir(), 'folio-cache-')), 'file');
    writeFileSync(blocker, '');
    process.env.FOLIO_CACHE_DIR = blocker;
    const cache = openCache('test');
    await expect(cache.put(cacheKey('x'), Buffer.from('y'))).resolves.toBeUndefined();
    expect(await cache.get(cacheKey('x'))).toBeUndefined();
  });
});

describe('PDF/X of a long book: Ghostscript on page ranges side by side', () => {
  it('splits into near-equal ranges', () => {
    expect(pageRanges(14, 2)).toEqual([
      [1, 7],
      [8, 14],
    ]);
    expect(pageRanges(131, 2)).toEqual([
      [1, 65],
      [66, 131],
    ]);
    expect(pageRanges(3, 1)).toEqual([[1, 3]]);
    expect(pageRanges(1, 4)).toEqual([[1, 1]]);
  });

  it(
    'gives the same pages as one run: PDF/X, OutputIntent, boxes, ' +
      'text and images per page; no subset name on two fonts',
    async () => {
      const one = await makePdfx(press, result.book.meta, { parts: 1 });
      const two = await makePdfx(press, result.book.meta, { parts: 2 });
      expect(one.parts).toBe(1);
      expect(two.parts).toBe(2);
      const a = path.join(out, 'one.pdf');
      const b = path.join(out, 'two.pdf');
      writeFileSync(a, one.data);
      writeFileSync(b, two.data);
      expect(info(b)['PDF subtype']).toBe('PDF/X-3:2002');
      expect(two.version).toBe('PDF/X-3:2002');
      expect(execFileSync('qpdf', ['--show-object=trailer', b], { encoding: 'utf8' })).toMatch(/\/Root/);
      const catalog = JSON.stringify(
        JSON.parse(
          execFileSync('qpdf', ['--json', '--json-key=qpdf', b], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 }),
        ).qpdf[1],
      );
      expect(catalog).toContain('/GTS_PDFX');
      expect(boxes(b)).toEqual(boxes(a));
      for (let n = 1; n <= pageCount(a); n++) expect(pageText(b, n)).toBe(pageText(a, n));
      expect(images(two.data, 'two-images.pdf').map((i) => [i.page, i.color])).toEqual(
        images(one.data, 'one-images.pdf').map((i) => [i.page, i.color]),
      );
      // pdffonts lists each font object once: a name seen twice would be two different subsets under one name
      const names = fonts(b).map((f) => f.name);
      expect(new Set(names).size).toBe(names.length);
      expect(fonts(b).every((f) => f.embedded && !/Type 3/.test(f.type))).toBe(true);
      // and reproducible like the single run
      const again = await makePdfx(press, result.book.meta, { parts: 2 });
      expect(Buffer.from(again.data).equals(Buffer.from(two.data))).toBe(true);
    },
  );
});

describe('ToUnicode CMaps', () => {
  it('reads bfchar and both forms of bfrange, and writes them back as single entries', () => {
    const cmap = [
      '2 beginbfchar',
      '<000C> <4E0D>',
      '<00E7> <20142014>',
      'endbfchar',
      '2 beginbfrange',
      '<0009> <000B> <4E09>',
      '<0020> <0021> [<0041> <00420043>]',
      'endbfrange',
    ].join('\n');
    const map = parseCMap(cmap);
    expect([...map].sort((a, b) => a[0] - b[0])).toEqual([
      [0x09, '4E09'],
      [0x0a, '4E0A'],
      [0x0b, '4E0B'],
      [0x0c, '4E0D'],
      [0x20, '0041'],
      [0x21, '00420043'],
      [0xe7, '20142014'],
    ]);
    const written = writeCMap(map);
    expect(written).not.toContain('bfrange');
    expect(parseCMap(written)).toEqual(map);
    const many = new Map(Array.from({ length: 250 }, (_, i) => [i, '4E00'] as [number, string]));
    expect(writeCMap(many).match(/beginbfchar/g)).toHaveLength(3);
  });
});
