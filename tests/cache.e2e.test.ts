// The content-keyed cache through two real builds: the first converts every photo to CMYK and keeps
// the conversions (pruning after the build must not delete them — `2 << 30` as a limit did), the
// second takes them from the cache and writes the same PDF/X.
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE_LIMITS } from '../scripts/cache/cache.js';
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
