// `folio preview` keeps what it learnt between rebuilds (an image's decode verdict, remembered by the
// image's content in Folio's cache): a rebuild after an edit must serve exactly what a fresh preview of
// the same folder, with nothing remembered (FOLIO_CACHE=off), serves.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Preview, startPreview } from '../scripts/preview/server.js';
import { VIEWS } from '../scripts/preview/assets.js';
import { manuscript } from './helpers/fixture.js';

const dir = manuscript({
  'book.yaml':
    'title: 测试\nauthors: [甲]\nlanguage: zh-CN\ndate: 2026-01-02\nslug: t\nchapters:\n  - 01.md\n  - 02.md\n',
  '02.md': '# 第二章\n\n另一段。\n\n![照片](images/photo.png "同一张图。")\n',
});
const photo = path.join(dir, 'images', 'photo.png');
const png = readFileSync(photo);
let live: Preview;

/** What a preview serves: every view's page, the page CSS, the typography script, the diagnostics. */
async function served(p: Preview): Promise<Record<string, unknown>> {
  const get = async (u: string) => (await fetch(new URL(u, p.url))).text();
  const out: Record<string, unknown> = {};
  for (const v of VIEWS) out[v] = await get(`/index.html?view=${v}`);
  for (const f of ['page.css', 'press-page.css', '_folio/typography.js']) out[f] = await get(`/${f}`);
  out.diagnostics = p.diagnostics.map((d) => `${d.severity} ${d.ruleId} ${d.file}:${d.line} ${d.message}`);
  return out;
}

/**
 * The live preview rebuilt (the watcher's call) against a new preview of the folder, nothing remembered:
 * the same diagnostics, and for a book without errors the same pages (a book with errors keeps the live
 * preview's last good book, which a fresh preview never had).
 */
async function expectFresh(): Promise<Record<string, unknown>> {
  await live.rebuild();
  const cached = await served(live);
  process.env.FOLIO_CACHE = 'off';
  const fresh = await startPreview({ manuscript: dir, port: 0 }).finally(() => delete process.env.FOLIO_CACHE);
  try {
    const other = await served(fresh);
    if (live.diagnostics.some((d) => d.severity === 'error')) expect(cached.diagnostics).toEqual(other.diagnostics);
    else expect(cached).toEqual(other);
  } finally {
    await fresh.close();
  }
  return cached;
}

const cache = mkdtempSync(path.join(tmpdir(), 'folio-preview-cache-'));
const saved = { dir: process.env.FOLIO_CACHE_DIR, off: process.env.FOLIO_CACHE };
beforeAll(async () => {
  process.env.FOLIO_CACHE_DIR = cache;
  delete process.env.FOLIO_CACHE;
  live = await startPreview({ manuscript: dir, port: 0 });
});
afterAll(async () => {
  await live?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
  if (saved.dir === undefined) delete process.env.FOLIO_CACHE_DIR;
  else process.env.FOLIO_CACHE_DIR = saved.dir;
  if (saved.off !== undefined) process.env.FOLIO_CACHE = saved.off;
});

describe('preview rebuild after an edit = a fresh preview', () => {
  it('one chapter edited', async () => {
    writeFileSync(path.join(dir, '01.md'), readFileSync(path.join(dir, '01.md'), 'utf8').replace('一段', '壹段'));
    expect(String((await expectFresh()).booklet)).toContain('壹段');
  });

  it('the config edited', async () => {
    appendFileSync(path.join(dir, 'book.yaml'), 'subtitle: 副题改过\n');
    expect(String((await expectFresh()).booklet)).toContain('副题改过');
  });

  it('an image replaced by a truncated one at the same path, then restored', async () => {
    writeFileSync(photo, png.subarray(0, png.length - 200));
    const broken = await expectFresh();
    expect((broken.diagnostics as string[]).some((d) => d.startsWith('error image-truncated'))).toBe(true);
    writeFileSync(photo, png);
    const restored = await expectFresh();
    expect((restored.diagnostics as string[]).filter((d) => d.startsWith('error'))).toEqual([]);
  });

  it('an image replaced by a damaged one of the same length', async () => {
    const damaged = Buffer.from(png);
    // a byte inside the first IDAT's data flipped, its CRC fixed up: only the pixel decode can tell
    const at = png.indexOf('IDAT', 0, 'latin1');
    const len = png.readUInt32BE(at - 4);
    const i = at + 4 + Math.floor(len / 2);
    damaged[i] = 255 - damaged[i]!;
    const { crc32 } = await import('node:zlib');
    damaged.writeUInt32BE(crc32(damaged.subarray(at, at + 4 + len)), at + 4 + len);
    writeFileSync(photo, damaged);
    const broken = await expectFresh();
    expect((broken.diagnostics as string[]).some((d) => d.startsWith('error image-'))).toBe(true);
    writeFileSync(photo, png);
    await expectFresh();
  });

  it('a chapter added, then removed', async () => {
    writeFileSync(path.join(dir, '03.md'), '# 第三章\n\n新加的一章。\n');
    const config = path.join(dir, 'book.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('  - 02.md\n', '  - 02.md\n  - 03.md\n'));
    expect(String((await expectFresh()).booklet)).toContain('新加的一章');
    writeFileSync(config, readFileSync(config, 'utf8').replace('  - 03.md\n', ''));
    rmSync(path.join(dir, '03.md'));
    expect(String((await expectFresh()).booklet)).not.toContain('新加的一章');
  });
});
