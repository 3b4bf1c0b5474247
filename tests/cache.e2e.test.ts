// The content-keyed cache through two real builds: the first converts every photo to CMYK and keeps
// the conversions (pruning after the build must not delete them — `2 << 30` as a limit did), the
// second takes them from the cache and writes the same PDF/X.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE_LIMITS } from '../scripts/cache/cache.js';
import { decodedKey, decodeProblem } from '../scripts/manuscript/decode.js';
import { folio, manuscript } from './helpers/fixture.js';

const entries = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();

describe('the cache through two real builds', () => {
  it('every limit is a positive size', () => {
    for (const [ns, max] of Object.entries(CACHE_LIMITS)) expect(max, ns).toBeGreaterThan(2 ** 20);
  });

  it('the second build takes the converted images from the cache; pruning keeps them', () => {
    const ms = manuscript({
      '01.md':
        '# 第一章\n\n正文一段。\n\n![照片](images/photo.png "图注。")\n\n正文二段。\n\n![鼓](images/drum.png "二图。")\n',
    });
    cpSync('manuscript/images/02-drum.png', path.join(ms, 'images', 'drum.png'));
    const cache = mkdtempSync(path.join(tmpdir(), 'folio-cache-'));
    const env = { FOLIO_CACHE_DIR: cache };
    const outs = [1, 2].map((n) => path.join(cache, `..`, `${path.basename(cache)}-out-${n}`));
    const args = (out: string) => ['build', '--manuscript', ms, '--out', out, '--target', 'press-pdfx', '--no-check'];

    const first = folio(args(outs[0]!), env);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/press-pdfx .*\b2 images in CMYK \(0 from the cache\)/);
    const kept = entries(path.join(cache, 'cmyk-images'));
    expect(kept).toHaveLength(2); // converted, stored, and still there after the build pruned the cache

    const second = folio(args(outs[1]!), env);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/press-pdfx .*\b2 images in CMYK \(2 from the cache\)/);
    expect(entries(path.join(cache, 'cmyk-images'))).toEqual(kept);

    const [a, b] = outs.map((o) => readFileSync(path.join(o, 't-press-pdfx.pdf')));
    expect(b!.equals(a!)).toBe(true); // the cached conversion is the conversion
    const colours = execFileSync('pdfimages', ['-list', path.join(outs[1]!, 't-press-pdfx.pdf')], { encoding: 'utf8' })
      .split('\n')
      .slice(2)
      .filter((l) => / image /.test(l))
      .map((l) => l.trim().split(/\s+/)[5]);
    expect(colours.length).toBeGreaterThanOrEqual(2);
    expect(new Set(colours)).toEqual(new Set(['cmyk']));
  });
});

describe('the page plan remembered between builds', () => {
  const plan = (stderr: string) => /^folio: page plan +(.*?)(?: \(laid out again to plan\))?$/m.exec(stderr)?.[1];
  const bookletOf = (out: string) => readFileSync(path.join(out, 't.pdf'));

  it('a rebuild lays the book out once with the last plan; a stale plan only costs a second layout', () => {
    // book.yaml pages: 16 — the first plan gives fewer, the chosen one has planned blanks before 封三
    const yaml = 'title: 测试\nauthors: [甲]\nlanguage: zh-CN\ndate: 2026-01-02\nslug: t\npages: 16\n';
    const ms = manuscript({ 'book.yaml': yaml });
    const cache = mkdtempSync(path.join(tmpdir(), 'folio-cache-'));
    const env = { FOLIO_CACHE_DIR: cache, SOURCE_DATE_EPOCH: '1767312000' };
    const off = { FOLIO_CACHE: 'off', SOURCE_DATE_EPOCH: '1767312000' };
    const out = () => mkdtempSync(path.join(tmpdir(), 'folio-out-'));
    const build = (e: Record<string, string>, o: string) =>
      folio(['build', '--manuscript', ms, '--out', o, '--target', 'booklet', '--no-check'], e);

    const first = build(env, out());
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^folio: page plan +16 pages.*\(laid out again to plan\)$/m);
    expect(first.stderr).not.toMatch(/plan-mismatch/);
    expect(entries(path.join(cache, 'page-plans'))).toHaveLength(1);

    // one character edited: the remembered plan is right again, one layout, the same book as without a cache
    writeFileSync(
      path.join(ms, '01.md'),
      '# 第一章\n\n正文一句。\n\n![照片](images/photo.png "图注。")\n\n正文二段。\n',
    );
    const [again, reference] = [out(), out()];
    const second = build(env, again);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).not.toMatch(/laid out again/);
    const uncached = build(off, reference);
    expect(uncached.stderr).toMatch(/laid out again to plan/);
    expect(plan(second.stderr)).toBe(plan(uncached.stderr));
    expect(bookletOf(again).equals(bookletOf(reference))).toBe(true);

    // the chapter now runs over pages: the remembered plan (its blanks) is stale, the build lays out
    // again and chooses what a build without a cache chooses, byte for byte
    writeFileSync(path.join(ms, '01.md'), `# 第一章\n\n${'正文一段，一段又一段，足以占满几页。\n\n'.repeat(60)}`);
    const [stale, fresh] = [out(), out()];
    const third = build(env, stale);
    const cold = build(off, fresh);
    expect(third.status, third.stderr).toBe(0);
    expect(plan(third.stderr)).toBe(plan(cold.stderr));
    expect(plan(third.stderr)).not.toBe(plan(second.stderr));
    expect(bookletOf(stale).equals(bookletOf(fresh))).toBe(true);
  });
});

describe('the image decode remembered', () => {
  // A PNG whose chunks check out but whose row 10 has filter type 9: only decoding every row finds it.
  const badRows = () => {
    const [w, h] = [64, 32];
    const png = PNG.sync.write(Object.assign(new PNG({ width: w, height: h }), { data: Buffer.alloc(w * h * 4, 90) }));
    const at = png.indexOf('IDAT', 0, 'latin1') - 4;
    const raw = inflateSync(png.subarray(at + 8, at + 8 + png.readUInt32BE(at)));
    raw[10 * (1 + w * 4)] = 9;
    const data = deflateSync(raw);
    const chunk = Buffer.alloc(12 + data.length);
    chunk.writeUInt32BE(data.length, 0);
    chunk.write('IDAT', 4, 'latin1');
    data.copy(chunk, 8);
    chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
    return Buffer.concat([png.subarray(0, at), chunk, png.subarray(at + 12 + png.readUInt32BE(at))]);
  };
  const withCache = <T>(fn: (dir: string) => T): T => {
    const dir = mkdtempSync(path.join(tmpdir(), 'folio-decoded-'));
    const before = process.env.FOLIO_CACHE_DIR;
    process.env.FOLIO_CACHE_DIR = dir;
    try {
      return fn(dir);
    } finally {
      if (before === undefined) delete process.env.FOLIO_CACHE_DIR;
      else process.env.FOLIO_CACHE_DIR = before;
    }
  };
  const marked = (dir: string) => {
    const ns = path.join(dir, 'decoded-images');
    return existsSync(ns) ? entries(ns).map((f) => path.basename(f)) : [];
  };

  it('a clean photo is marked by its bytes; a damaged one is found each time and never marked', () =>
    withCache((dir) => {
      const photo = readFileSync('manuscript/images/02-drum.png');
      expect(decodeProblem(Buffer.from(photo), 'png')).toBeUndefined();
      expect(marked(dir)).toEqual([decodedKey(photo, 'png')]);
      const bad = badRows();
      for (let i = 0; i < 2; i++) expect(decodeProblem(Buffer.from(bad), 'png')?.ruleId).toBe('image-unreadable');
      expect(marked(dir)).toHaveLength(1);
      // one byte more is other bytes: decoded again (and found bad), whatever the mark of the first says
      const grown = Buffer.concat([bad, Buffer.from([0])]);
      expect(decodeProblem(grown, 'png')?.ruleId).toBe('image-unreadable');
    }));

  it('the mark is what spares the decode: planted for damaged bytes, they pass (so keys must be the bytes)', () =>
    withCache((dir) => {
      const bad = badRows();
      const key = decodedKey(bad, 'png');
      mkdirSync(path.join(dir, 'decoded-images', key.slice(0, 2)), { recursive: true });
      writeFileSync(path.join(dir, 'decoded-images', key.slice(0, 2), key), '');
      expect(decodeProblem(Buffer.from(bad), 'png')).toBeUndefined();
      process.env.FOLIO_CACHE = 'off';
      try {
        expect(decodeProblem(Buffer.from(bad), 'png')?.ruleId).toBe('image-unreadable');
      } finally {
        delete process.env.FOLIO_CACHE;
      }
    }));
});
