// The typography check: its detectors on hand-made pages, then the seed and the 20× anthology.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManuscript } from '../scripts/manuscript/load.js';
import { buildBook } from '../scripts/model/book.js';
import { launchBrowser, newPage } from '../scripts/paginate/browser.js';
import { paginate } from '../scripts/paginate/paginate.js';
import { ORIGIN, serveBundle } from '../scripts/paginate/serve.js';
import { sliceFontCss } from '../scripts/render/fonts.js';
import { computeGeometry } from '../scripts/render/geometry.js';
import { renderHtml } from '../scripts/render/html.js';
import { makeAnthology } from '../scripts/tools/anthology.js';
import { analyzeTypography } from '../scripts/typography/analyze.js';
import { checkTypography } from '../scripts/typography/check.js';
import type { Browser } from 'puppeteer-core';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Pages shaped like Paged.js output, each block 5 em wide, 16 px type. */
async function analyse(pages: string[]): Promise<string[]> {
  const fonts = sliceFontCss();
  const body = pages
    .map(
      (p, i) =>
        `<div class="pagedjs_page" data-page-number="${i + 1}"><div class="pagedjs_page_content">${p}</div></div>`,
    )
    .join('');
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">\
<link rel="stylesheet" href="fonts.css"><style>
body{font:16px/24px 'Noto Serif SC';margin:0} .pagedjs_page_content{width:5em} \
p{margin:0;line-break:anywhere;text-align:justify}
</style></head><body>${body}</body></html>`;
  const page = await newPage(browser);
  try {
    await serveBundle(
      page,
      {
        entry: 'index.html',
        files: new Map([
          ['index.html', html],
          ['fonts.css', fonts.css],
        ]),
        mounts: fonts.mounts,
        geometry: computeGeometry({ width: 148, height: 210 }),
      },
      fonts.mounts,
    );
    await page.goto(`${ORIGIN}index.html`, { waitUntil: 'load' });
    await page.evaluate(async () => {
      await document.fonts.ready;
      await Promise.all([...document.fonts].map((f) => f.load().catch(() => undefined)));
    });
    const r = await page.evaluate(analyzeTypography, { stretchEm: 0.25 });
    return r.findings.map((f) => `p${f.page} ${f.src} ${f.ruleId}`);
  } finally {
    await page.close();
  }
}

const p = (src: string, text: string, style = '') =>
  `<p data-src="${src}" data-ref="${src}" style="${style}">${text}</p>`;

describe('typography detectors (hand-made pages)', () => {
  it('finds a closing mark at a line start and an opening mark at a line end', async () => {
    const found = await analyse([p('a.md:1', '一二三四五，六七八九十'), p('a.md:3', '一二三四“五六七八”')]);
    expect(found.filter((f) => !f.endsWith('orphan-character'))).toEqual([
      'p1 a.md:1 line-start-prohibited',
      'p2 a.md:3 line-end-prohibited',
    ]);
  });

  it('finds —— split across lines', async () => {
    expect(await analyse([p('b.md:1', '一二三四—<br>—五六七八九')])).toContain('p1 b.md:1 dash-split');
    expect(await analyse([p('b.md:3', '一二三四<br>——五六七八')])).toContain('p1 b.md:3 dash-line-start');
  });

  it("finds a single character on a paragraph's last line (孤字)", async () => {
    expect(await analyse([p('c.md:1', '一二三四五六')])).toEqual(['p1 c.md:1 orphan-character']);
  });

  it('finds a line that overflows the text block', async () => {
    expect(await analyse([p('d.md:1', '一二三四五六七', 'white-space:nowrap')])).toContain('p1 d.md:1 line-overflow');
  });

  it('finds a heading left at the foot of a page', async () => {
    expect(
      await analyse([`${p('e.md:1', '一二三')}<h2 data-src="e.md:3" data-ref="h">标题</h2>`, p('e.md:5', '四五六')]),
    ).toContain('p1 e.md:3 heading-stranded');
  });

  it('finds Chinese quotes drawn by a Latin font', async () => {
    expect(await analyse([p('f.md:1', '“一二”', "font-family:'DejaVu Serif','Noto Serif SC'")])).toContain(
      'p1 f.md:1 quote-latin-glyph',
    );
  });

  it('finds a widow and an orphan across pages', async () => {
    const found = await analyse([
      p('g.md:1', '一二三四五六七八九十'),
      `<p data-src="g.md:3" data-ref="r1">一二三四五</p>`,
      `<p data-src="g.md:3" data-ref="r1" data-split-from="r1">六七八九十一二三四五</p>`,
      `<p data-src="g.md:5" data-ref="r2" data-split-from="r2x">甲乙丙丁戊</p>`,
    ]);
    expect(found).toContain('p2 g.md:3 orphan');
  });
});

describe('the seed and the 20× anthology pass the typography check', () => {
  it(
    'seed: no prohibited line edges, split dashes, ' + 'stranded headings, separated captions, overflow or 孤字',
    async () => {
      const r = await checkTypography('manuscript');
      expect(r.stats.lines).toBeGreaterThan(60);
      expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(r.counts['orphan-character'] ?? 0).toBe(0);
    },
  );

  it('seed without the paragraph balancing has the two 孤字 the check catches (before/after images kept)', async () => {
    const book = buildBook(await loadManuscript('manuscript'));
    const before = await paginate(renderHtml(book), book, browser, { balance: false, typography: { stretchEm: 0.25 } });
    const after = await paginate(renderHtml(book), book, browser, { typography: { stretchEm: 0.25 } });
    const orphans = before.typography!.findings.filter((f) => f.ruleId === 'orphan-character');
    expect(orphans.map((f) => f.src)).toEqual(['manuscript/01-feature.md:29', 'manuscript/01-feature.md:47']);
    // each on the page where its paragraph ends (read from the laid-out PDF, not copied from a layout)
    const dir = mkdtempSync(path.join(tmpdir(), 'folio-typo-'));
    writeFileSync(path.join(dir, 'before.pdf'), before.pdf);
    const textOf = (n: number) =>
      execFileSync('pdftotext', ['-f', String(n), '-l', String(n), path.join(dir, 'before.pdf'), '-'], {
        encoding: 'utf8',
      }).replace(/\s+/g, '');
    const blocks = book.chapters.flatMap((c) => c.blocks);
    for (const f of orphans) {
      const end = blocks
        .find((b) => `${b.source.file}:${b.source.line}` === f.src)!
        .text.replace(/\s+/g, '')
        .slice(-8);
      expect(textOf(f.page!), `${f.src} ends on page ${f.page}`).toContain(end);
    }
    expect(after.typography!.findings).toEqual([]);
    expect(after.balance!.fixed.map((f) => f.split(' ')[0])).toEqual([
      'manuscript/01-feature.md:29',
      'manuscript/01-feature.md:47',
    ]);
    // the pages as images, before and after, for a person to compare
    mkdirSync('test-artifacts', { recursive: true });
    for (const [name, pdf] of [
      ['before', before.pdf],
      ['after', after.pdf],
    ] as const) {
      writeFileSync(path.join(dir, `${name}.pdf`), pdf);
      for (const n of orphans.map((f) => f.page!))
        execFileSync('pdftoppm', [
          '-png',
          '-r',
          '100',
          '-singlefile',
          '-f',
          String(n),
          '-l',
          String(n),
          path.join(dir, `${name}.pdf`),
          `test-artifacts/typography-p${n}-${name}`,
        ]);
    }
  });

  it('20× anthology: the same, over 100+ pages', async () => {
    const dir = makeAnthology(20, path.join(mkdtempSync(path.join(tmpdir(), 'folio-anth-')), 'm'));
    const r = await checkTypography(dir);
    expect(r.stats.pages).toBeGreaterThan(100);
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(r.counts['orphan-character'] ?? 0).toBe(0);
  });
});
