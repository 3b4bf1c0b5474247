// folio preview with the real Chromium: open the page, edit the manuscript, see the new text on a page;
// then the desk's viewer at 1400 px — spreads as paper, navigation, contents and findings, the source of
// a clicked line, the e-book reading pane — read back from element boxes and screenshot pixels.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManuscript } from '../scripts/manuscript/load.js';
import { buildBook } from '../scripts/model/book.js';
import { launchBrowser, newPage } from '../scripts/paginate/browser.js';
import { paginate } from '../scripts/paginate/paginate.js';
import { startPreview, type Preview } from '../scripts/preview/server.js';
import { renderHtml } from '../scripts/render/html.js';
import { checkTypography } from '../scripts/typography/check.js';
import { manuscript } from './helpers/fixture.js';
import { isGrey, isPaper, pixelRuns } from './helpers/pixels.js';
import { pageCount } from './helpers/pdf.js';
import { seedBuild } from './helpers/seed.js';

let browser: Browser;
let page: Page;
let preview: Preview;
const dir = path.join(mkdtempSync(path.join(tmpdir(), 'folio-preview-')), 'manuscript');
const chapter = path.join(dir, '01-feature.md');
const ARTIFACTS = 'test-artifacts';

const ready = (p: Page = page) =>
  p.waitForFunction(() => (window as unknown as { __folioReady?: boolean }).__folioReady === true, {
    timeout: 60_000,
  });
const pageText = () =>
  page.evaluate(() => [...document.querySelectorAll('.pagedjs_page')].map((p) => p.textContent ?? '').join('\n'));
const open = async (query: string, p: Page = page, base = preview.url) => {
  await p.goto(`${base}index.html?${query}`, { waitUntil: 'load' });
  await ready(p);
};
/** The page the viewer says it is on, and whether that page is on screen below the toolbar. */
const current = (p: Page = page) =>
  p.evaluate(() => {
    const n = document.documentElement.dataset.folioPage;
    const r = document.querySelector(`.pagedjs_page[data-page-number="${n}"]`)!.getBoundingClientRect();
    const bar = document.getElementById('folio-toolbar')!.getBoundingClientRect().bottom;
    return {
      page: Number(n),
      visible: r.top >= bar - 1 && r.top < innerHeight,
      input: (document.getElementById('folio-page') as HTMLInputElement).value,
    };
  });
/** The viewer's own navigation: page n at the top of the window. */
const go = (n: number, p: Page = page) =>
  p.evaluate((n) => (window as unknown as { FolioPreview: { go(n: number): void } }).FolioPreview.go(n), n);
type Box = { top: number; bottom: number; left: number; right: number; width: number; height: number };
const boxes = (p: Page = page) =>
  p.$$eval('.pagedjs_page', (els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height };
    }),
  ) as Promise<Box[]>;

beforeAll(async () => {
  cpSync('manuscript', dir, { recursive: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  preview = await startPreview({ manuscript: dir, port: 0, editor: 'vscode://file/{file}:{line}' });
  browser = await launchBrowser();
  page = await newPage(browser);
  await page.setViewport({ width: 1000, height: 900 });
  await page.goto(preview.url, { waitUntil: 'load' });
  await ready();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await preview?.close();
});

describe('folio preview', () => {
  it('serves the paginated booklet on 127.0.0.1', async () => {
    expect(preview.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    // as many pages as the seed's booklet built by the pipeline (tests/global-setup.ts)
    expect(await page.$$eval('.pagedjs_page', (p) => p.length)).toBe(pageCount((await seedBuild()).file('booklet')));
    expect(await pageText()).toContain('补齐短板 持续增进民生福祉');
  });

  it('reloads after an edit, shows the new text on a page and keeps the reader on the same page', async () => {
    // single pages, so the page at the top of the window is one page; read page 9, then edit a sentence on it
    await open('view=booklet&layout=single');
    await page.evaluate(() => document.querySelector('.pagedjs_page[data-page-number="9"]')!.scrollIntoView());
    const reload = page.waitForNavigation({ waitUntil: 'load' });
    writeFileSync(
      chapter,
      readFileSync(chapter, 'utf8').replace('为提升日喀则基层医疗救治能力', '为提升日喀则基层医疗救治水平'),
    );
    await reload;
    await ready();
    expect(await pageText()).toContain('为提升日喀则基层医疗救治水平');
    const top = await page.evaluate(
      () =>
        [...document.querySelectorAll<HTMLElement>('.pagedjs_page')].find((p) => p.getBoundingClientRect().bottom > 80)
          ?.dataset.pageNumber,
    );
    expect(top).toBe('9');
    expect((await current()).page).toBe(9);
    expect(preview.lastRebuildMs).toBeLessThan(2000);
    // the toolbar tells when the book was rebuilt and how long it took
    expect(await page.$eval('#folio-build', (e) => e.textContent)).toMatch(
      /^rebuilt \d\d:\d\d:\d\d · \d+ ms · laid out in/,
    );
  });

  it('shows a broken save in an overlay without dying, and clears it when fixed', async () => {
    const good = readFileSync(chapter, 'utf8');
    // every state the toolbar shows while the save is rebuilt
    await page.evaluate(() => {
      const box = document.getElementById('folio-build')!;
      const seen: string[] = ((window as unknown as { buildStates: string[] }).buildStates = []);
      new MutationObserver(() => seen.push(box.textContent ?? '')).observe(box, { childList: true });
    });
    writeFileSync(chapter, `${good}\n::: dek\n没有关上的容器。\n`);
    await page.waitForFunction(
      () => (document.getElementById('folio-overlay')?.textContent ?? '').includes('container-unclosed'),
      { timeout: 30_000 },
    );
    const text = await page.$eval('#folio-overlay', (e) => e.textContent);
    expect(text).toMatch(/01-feature\.md:\d+:1 error Container is never closed with ":::" container-unclosed/);
    expect(await pageText()).toContain('为提升日喀则基层医疗救治水平'); // the last good book stays
    // the same error is in the panel, with its file:line
    expect(await page.$eval('#folio-findings', (e) => e.textContent)).toMatch(
      /01-feature\.md:\d+:1 · container-unclosed/,
    );
    const states = await page.evaluate(() => (window as unknown as { buildStates: string[] }).buildStates);
    expect(states[0]).toBe('building…');
    expect(states.at(-1)).toMatch(/^kept the last good book · \d\d:\d\d:\d\d · \d+ ms/);
    const reload = page.waitForNavigation({ waitUntil: 'load' });
    writeFileSync(chapter, good);
    await reload;
    await ready();
    expect(await page.$eval('#folio-overlay', (e) => (e as HTMLElement).style.display)).toBe('none');
  });
});

describe('folio preview: views', () => {
  it('toggles between booklet, press (bleed and marks) and e-book views', async () => {
    const marks = () =>
      page.$$eval('.pagedjs_marks-crop', (m) => m.filter((x) => getComputedStyle(x).display !== 'none').length);
    expect(await marks()).toBe(0); // the booklet is cut to the trim: no marks
    // nothing is loaded from anywhere but the preview itself
    const requests: string[] = [];
    const record = (r: { url(): string }) => requests.push(r.url());
    page.on('request', record);
    await open('view=press');
    expect(await page.$$eval('.pagedjs_marks-crop', (m) => m.length)).toBeGreaterThan(0);
    expect(await marks()).toBeGreaterThan(0);
    await open('view=ebook');
    expect(await page.$$eval('.pagedjs_page', (p) => p.length)).toBe(0);
    expect(await page.evaluate(() => document.body.textContent)).toContain('补齐短板 持续增进民生福祉');
    expect(await page.$$eval('#folio-toolbar a', (a) => a.map((x) => x.textContent))).toEqual([
      'booklet',
      'press',
      'ebook',
    ]);
    page.off('request', record);
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.filter((u) => !u.startsWith(preview.url) && !u.startsWith('data:'))).toEqual([]);
    expect(requests.filter((u) => u.includes('/_folio/')).length).toBeGreaterThan(5);
  });
});

describe('folio preview: the desk viewer at 1400 × 900', () => {
  beforeAll(async () => {
    await page.setViewport({ width: 1400, height: 900 });
    await open('view=booklet&layout=spread&zoom=page');
  }, 120_000);

  it('lays pages out as printed spreads: cover alone, verso | recto side by side with a gap, back alone', async () => {
    await go(2);
    const b = await boxes();
    const n = b.length; // a booklet has an even number of pages: the back cover is a verso
    expect(n).toBeGreaterThan(6);
    expect(n % 2).toBe(0);
    const [cover, p2, p3] = [b[0]!, b[1]!, b[2]!];
    // pages 2 and 3 on one row, page 2 on the left, a narrow spine gap between them, both whole on screen
    expect(Math.abs(p2.top - p3.top)).toBeLessThan(1);
    const gap = p3.left - p2.right;
    expect(gap).toBeGreaterThan(3);
    expect(gap).toBeLessThan(20);
    const panel = await page.$eval('#folio-panel', (e) => e.getBoundingClientRect().right);
    expect(p2.left).toBeGreaterThan(panel);
    expect(p3.right).toBeLessThanOrEqual(1400);
    // the cover stands alone on the right (a recto), the back cover alone on the left (a verso)
    expect(b.filter((x) => Math.abs(x.top - cover.top) < 1)).toHaveLength(1);
    expect(Math.abs(cover.left - p3.left)).toBeLessThan(1);
    const back = b[n - 1]!;
    expect(b.filter((x) => Math.abs(x.top - back.top) < 1)).toHaveLength(1);
    expect(Math.abs(back.left - p2.left)).toBeLessThan(1);
    // rows are apart: the cover's blue never meets the next page's white
    expect(p2.top - cover.bottom).toBeGreaterThan(15);
    // fit page: the spread fills the height or the width of the window
    expect(p2.height).toBeGreaterThan(500);

    const png = await page.screenshot({ path: path.join(ARTIFACTS, 'preview-booklet.png') });
    const y = p2.top + p2.height * 0.55;
    const [row] = await pixelRuns(browser, png, [{ y, x0: p2.right - 40, x1: p3.left + 40 }]);
    const x0 = p2.right - 40;
    const px = (x: number) => row![Math.round(x - x0)]!;
    // paper inside both pages' margins, grey in the gap, and an edge (darker than paper) at each trim
    expect(isPaper(px(p2.right - 12))).toBe(true);
    expect(isPaper(px(p3.left + 12))).toBe(true);
    expect(isGrey(px((p2.right + p3.left) / 2))).toBe(true);
    const edgeSeen = (from: number, to: number) =>
      row!.slice(Math.round(from - x0), Math.round(to - x0) + 1).some((c) => !isPaper(c) && !isGrey(c));
    expect(edgeSeen(p2.right - 2, p2.right + 2)).toBe(true);
    expect(edgeSeen(p3.left - 2, p3.left + 2)).toBe(true);
    // and between the cover and page 2, grey
    const [between] = await pixelRuns(browser, png, [
      { y: (cover.bottom + p2.top) / 2 + 8, x0: p3.left + 50, x1: p3.left + 60 },
    ]);
    expect(between!.every(isGrey)).toBe(true);
  });

  it('switches to single pages and zooms to fit the width and to 100 %', async () => {
    await page.click('button[data-layout="single"]');
    let b = await boxes();
    expect(b[2]!.top).toBeGreaterThan(b[1]!.bottom); // one page a row
    await page.select('#folio-zoom', 'width');
    b = await boxes();
    const avail = await page.evaluate(() => document.body.clientWidth - 320 - 32);
    expect(b[1]!.width).toBeGreaterThan(avail - 40);
    expect(b[1]!.width).toBeLessThanOrEqual(avail + 1);
    await page.select('#folio-zoom', '100');
    b = await boxes();
    // 100 %: the A5 trim at CSS size, 148 mm = 559.4 px
    expect(b[1]!.width).toBeCloseTo((148 / 25.4) * 96, 0);
    await page.click('button[data-layout="spread"]');
    await page.select('#folio-zoom', 'page');
    expect(new URL(page.url()).search).toContain('layout=spread');
  });
});

describe('folio preview: navigation', () => {
  it('jumps to a typed page and moves by spread with the keyboard (arrows, PageUp/PageDown, Home, End)', async () => {
    await page.click('#folio-page', { count: 3 });
    await page.keyboard.type('9');
    await page.keyboard.press('Enter');
    expect(await current()).toEqual({ page: 9, visible: true, input: '9' });
    await page.keyboard.press('Home');
    expect(await current()).toEqual({ page: 1, visible: true, input: '1' });
    await page.keyboard.press('ArrowRight');
    expect((await current()).page).toBe(2); // the spread 2 | 3
    await page.keyboard.press('ArrowRight');
    expect((await current()).page).toBe(4);
    await page.keyboard.press('PageDown');
    expect(await current()).toEqual({ page: 6, visible: true, input: '6' });
    await page.keyboard.press('ArrowLeft');
    expect((await current()).page).toBe(4);
    await page.keyboard.press('PageUp');
    expect((await current()).page).toBe(2);
    await page.keyboard.press('End');
    const n = (await boxes()).length;
    const end = await current();
    expect(end.page).toBe(n);
    expect(end.input).toBe(String(n));
    const last = (await boxes())[n - 1]!;
    expect(last.bottom).toBeLessThanOrEqual(900);
    await page.click('#folio-prev');
    expect((await current()).page).toBe(n - 2); // the spread before the back cover
  });

  it('lists the contents with their pages; a click goes to the page', async () => {
    const items = await page.$$eval('#folio-contents button', (bs) =>
      bs.map((b) => `${b.firstElementChild!.textContent} ${(b as HTMLElement).dataset.page}`),
    );
    const headingPage = await page.evaluate(() =>
      Number(
        [...document.querySelectorAll('.pagedjs_page h2')]
          .find((h) => h.textContent!.includes('补齐短板'))!
          .closest<HTMLElement>('.pagedjs_page')!.dataset.pageNumber,
      ),
    );
    expect(items).toContain(`补齐短板 持续增进民生福祉 ${headingPage}`);
    expect(items[0]).toBe('封面 1');
    await page.keyboard.press('Home');
    await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('#folio-contents button')]
        .find((b) => b.textContent!.includes('补齐短板'))!
        .click(),
    );
    expect(await current()).toMatchObject({ page: headingPage, visible: true });
    // the entry the reader is in is marked, and follows the reader
    const marked = () => page.$eval('#folio-contents button[aria-current]', (b) => b.firstElementChild!.textContent);
    expect(await marked()).toBe('补齐短板 持续增进民生福祉');
    await page.keyboard.press('Home');
    expect(await marked()).toBe('封面');
  });
});

describe('folio preview: source lines', () => {
  it('shows the source file:line of clicked text, with the configured editor link', async () => {
    const find = () =>
      page.evaluate(() => {
        const p = [...document.querySelectorAll<HTMLElement>('.pagedjs_page p[data-src]')].find((x) =>
          x.textContent!.startsWith('走进吉隆县'),
        )!;
        const r = p.getBoundingClientRect();
        const n = Number(p.closest<HTMLElement>('.pagedjs_page')!.dataset.pageNumber);
        return { x: r.left + 40, y: r.top + 5, src: p.dataset.src!, page: n };
      });
    await go((await find()).page);
    const target = await find();
    await page.mouse.click(target.x, target.y);
    const line =
      readFileSync(chapter, 'utf8')
        .split('\n')
        .findIndex((l) => l.startsWith('走进吉隆县')) + 1;
    expect(target.src).toMatch(new RegExp(`01-feature\\.md:${line}$`));
    const shown = await page.$eval('#folio-source', (e) => e.textContent);
    expect(shown).toContain(`01-feature.md:${line}`);
    const href = await page.$eval('#folio-editor-link', (a) => a.getAttribute('href'));
    expect(href).toBe(`vscode://file/${encodeURI(chapter)}:${line}`);
  });
});

describe('folio preview: press and e-book views', () => {
  it('shows the press view with bleed and marks, and the e-book in a reading pane that reflows', async () => {
    await open('view=press&layout=spread&zoom=page');
    await go(6);
    await page.screenshot({ path: path.join(ARTIFACTS, 'preview-press.png') });
    // the press sheet is the trim plus 3 mm bleed each side
    const [sheet, trim] = await page.$eval('.pagedjs_page[data-page-number="6"]', (p) =>
      [p, p.querySelector('.pagedjs_pagebox')!].map((e) => e.getBoundingClientRect().width),
    );
    expect(sheet! / trim!).toBeCloseTo((148 + 6) / 148, 2);

    await open('view=ebook&measure=32&font=18');
    const para = () =>
      page.evaluate(() => {
        const p = [...document.querySelectorAll('section.chapter p')].find((x) => x.textContent!.startsWith('为提升'))!;
        const r = p.getBoundingClientRect();
        return { w: r.width, h: r.height, font: getComputedStyle(p).fontSize };
      });
    const before = await para();
    expect(before.font).toBe('18px');
    const setRange = (id: string, v: string) =>
      page.$eval(
        `#${id}`,
        (e, v) => {
          (e as HTMLInputElement).value = v;
          e.dispatchEvent(new Event('input', { bubbles: true }));
        },
        v,
      );
    await setRange('folio-measure', '20');
    const narrow = await para();
    expect(narrow.w).toBeLessThan(before.w * 0.7);
    expect(narrow.h).toBeGreaterThan(before.h * 1.3); // the same text on more lines
    await setRange('folio-font', '24');
    expect((await para()).font).toBe('24px');
    await setRange('folio-measure', '32');
    await setRange('folio-font', '18');
    await page.evaluate(() => window.scrollTo(0, 1400));
    await page.screenshot({ path: path.join(ARTIFACTS, 'preview-ebook.png') });
    expect(new URL(page.url()).searchParams.get('font')).toBe('18');
  });
});

/**
 * Not the seed: two chapters, a footnote, a paragraph of 59 characters that would end on one (孤字) unless
 * balanced as the build does (01.md:31), a straight-quote lint warning (01.md:33) and a manual line break
 * that puts a comma at the start of a line (a line-start fault, 01.md:37) on a later page; full-width pairs
 * (：“ and 。”, 02.md) for the pair measure, after emphasis dots, a code block and a third-level heading
 * that leave the line grid unless the grid pass ran; and a preflight report of an earlier build in `dist`
 * with a finding on page 5.
 */
function deskManuscript(dist: string): string {
  const filler = Array.from({ length: 14 }, (_, i) => `第${i + 1}段，${'文字内容'.repeat(30)}。`).join('\n\n');
  const ms = manuscript({
    '01.md': `# 第一章\n\n${filler}\n\n${'平衡'.repeat(29)}段。\n\n他说"你好"，然后离开。\n\n## 第一节\n\n第二段正文<br>，逗号落在行首。\n`,
    '02.md':
      '# 第二章\n\n第三段。[^a]\n\n这一段有*着重号*。\n\n```\ncode block\n```\n\n### 小标题\n\n他说：“好。”然后走了。\n\n[^a]: 脚注。\n',
  });
  writeFileSync(
    path.join(dist, 'preflight.json'),
    JSON.stringify({
      summary: { errors: 0, warnings: 1, infos: 0, passed: true },
      files: [],
      findings: [
        {
          target: 'press',
          page: 5,
          file: 'dist/t-press.pdf',
          line: 0,
          column: 0,
          severity: 'warning',
          message: 'Image at 180 ppi',
          ruleId: 'image-resolution',
        },
      ],
    }),
  );
  return ms;
}

let desk: Preview;
let deskPage: Page;
let ms: string;
const findings = () =>
  deskPage.$$eval('#folio-findings .folio-finding', (bs) =>
    bs.map((b) => {
      const d = (b as HTMLElement).dataset;
      return { page: Number(d.page) || null, rule: d.ruleid, source: d.source, text: b.textContent };
    }),
  );

/** The preview of the desk manuscript, opened once for the describes that use it (in any order, or alone). */
let deskOpened: Promise<void> | undefined;
const openDesk = () =>
  (deskOpened ??= (async () => {
    const dist = mkdtempSync(path.join(tmpdir(), 'folio-preview-dist-'));
    ms = deskManuscript(dist);
    desk = await startPreview({ manuscript: ms, port: 0, dist });
    deskPage = await newPage(browser);
    await deskPage.setViewport({ width: 1400, height: 900 });
    await open('view=booklet', deskPage, desk.url);
  })());
afterAll(async () => {
  await deskPage?.close();
  await desk?.close();
});

describe('folio preview: findings beside the page', () => {
  beforeAll(() => openDesk(), 120_000);

  it('lists lint, typography and preflight findings, each with its page and file:line', async () => {
    const all = await findings();
    const quote = all.find((f) => f.rule === 'quote-straight')!;
    const quotePage = await deskPage.evaluate(
      () =>
        [...document.querySelectorAll<HTMLElement>('.pagedjs_page p')]
          .find((p) => p.textContent!.includes('他说'))!
          .closest<HTMLElement>('.pagedjs_page')!.dataset.pageNumber,
    );
    expect(quote.source).toBe('lint');
    expect(quote.page).toBe(Number(quotePage));
    expect(quote.text).toMatch(/01\.md:33:\d+ · quote-straight/);
    const fault = all.find((f) => f.rule === 'line-start-prohibited')!;
    expect(fault.source).toBe('typography');
    expect(fault.text).toMatch(/01\.md:37:\d+ · line-start-prohibited/);
    const pre = all.find((f) => f.rule === 'image-resolution')!;
    expect(pre).toMatchObject({ page: 5, source: 'preflight' });
    expect(await deskPage.$eval('#folio-findings-summary', (e) => e.textContent)).toMatch(
      /preflight passed \(last build, \d{4}-\d\d-\d\d \d\d:\d\d UTC\)/,
    );
  });

  it('shows the pages the build lays out: page count, heading pages, typography findings and measures', async () => {
    // the build's own pagination of the same manuscript, in headless Chromium, as `folio build` and
    // `folio check --typography` run it: what runs in the page before Paged.js (balancing, the line grid)
    // and after it (line rules, page measures) must be the same
    const book = buildBook(await loadManuscript(ms));
    const bundle = renderHtml(book);
    const built = await paginate(bundle, book, browser, {
      typography: { stretchEm: 0.25, gridPt: bundle.geometry.line },
    });
    const fromBuild = built.typography!.findings.map((f) => `p${f.page} ${f.src} ${f.ruleId}`).sort();
    const shown = await deskPage.evaluate(() => {
      type Finding = { page: number; src: string; ruleId: string };
      const F = (window as unknown as { FolioPreview: { typography: Finding[]; typographyStats: unknown } })
        .FolioPreview;
      const headings: Record<string, number> = {};
      for (const h of document.querySelectorAll<HTMLElement>('.pagedjs_page [id]'))
        if (/^H[1-6]$/.test(h.tagName) && !(h.id in headings))
          headings[h.id] = Number(h.closest<HTMLElement>('.pagedjs_page')!.dataset.pageNumber);
      return {
        pages: document.querySelectorAll('.pagedjs_page').length,
        headings,
        findings: F.typography.map((f) => `p${f.page} ${f.src} ${f.ruleId}`).sort(),
        stats: F.typographyStats,
      };
    });
    expect(fromBuild.some((f) => f.endsWith('line-start-prohibited'))).toBe(true);
    // the measures have something to measure: full-width pairs (02.md), body lines after headings, which
    // sit on the grid only when the grid pass ran before the layout; findings include line-off-grid and pairs
    const stats = built.typography!.stats;
    expect(stats.pairs).toBeGreaterThanOrEqual(2);
    expect(stats.bodyLines).toBeGreaterThan(20);
    expect(stats.bodyLinesOnGrid).toBe(stats.bodyLines);
    expect(shown).toEqual({
      pages: built.pages.length,
      headings: built.headingPages,
      findings: fromBuild,
      stats,
    });
    // and folio check --typography reports the same
    const report = await checkTypography(ms);
    expect(report.findings.map((f) => `p${f.page} ${f.file}:${f.line} ${f.ruleId}`).sort()).toEqual(fromBuild);
  });
});

describe('folio preview: a clicked finding', () => {
  beforeAll(async () => {
    await openDesk();
    await open('view=booklet', deskPage, desk.url);
  }, 120_000);
  it('goes to the page of a clicked finding and highlights its line', async () => {
    await deskPage.keyboard.press('Home');
    const fault = (await findings()).find((f) => f.rule === 'line-start-prohibited')!;
    await deskPage.$eval('#folio-findings .folio-finding[data-ruleid="line-start-prohibited"]', (b) =>
      (b as HTMLElement).click(),
    );
    const at = await deskPage.evaluate(() => {
      const n = document.documentElement.dataset.folioPage;
      const mark = document.querySelector('.folio-highlight')!;
      const comma = [...document.querySelectorAll('.pagedjs_page p')].find((p) =>
        p.textContent!.includes('，逗号落在'),
      )!;
      const text = [...comma.childNodes].find((c) => c.nodeType === 3 && c.textContent!.startsWith('，'))!;
      const range = document.createRange();
      range.setStart(text, 0);
      range.setEnd(text, 1);
      const c = range.getBoundingClientRect();
      const m = mark.getBoundingClientRect();
      return {
        page: Number(n),
        markPage: Number(mark.closest<HTMLElement>('.pagedjs_page')!.dataset.pageNumber),
        covers: m.top <= c.top && m.bottom >= c.bottom && m.left <= c.left && m.right >= c.right,
        onScreen: m.top > 44 && m.bottom < innerHeight,
      };
    });
    expect(at).toEqual({ page: fault.page, markPage: fault.page, covers: true, onScreen: true });
    expect(fault.page).toBeGreaterThan(1);
    await deskPage.screenshot({ path: path.join(ARTIFACTS, 'preview-findings.png') });
  });
  it('goes to the block of a lint finding and to the page of a preflight finding', async () => {
    await deskPage.keyboard.press('Home');
    await deskPage.$eval('.folio-finding[data-ruleid="quote-straight"]', (b) => (b as HTMLElement).click());
    const lint = await deskPage.evaluate(() => {
      const p = [...document.querySelectorAll('.pagedjs_page p')].find((x) => x.textContent!.includes('他说'))!;
      const r = p.getBoundingClientRect();
      const m = document.querySelector('.folio-highlight')!.getBoundingClientRect();
      const page = p.closest<HTMLElement>('.pagedjs_page')!.dataset.pageNumber;
      return {
        at: document.documentElement.dataset.folioPage === page,
        covers: m.top <= r.top && m.bottom >= r.bottom,
      };
    });
    expect(lint).toEqual({ at: true, covers: true });
    await deskPage.$eval('.folio-finding[data-ruleid="image-resolution"]', (b) => (b as HTMLElement).click());
    expect(await current(deskPage)).toMatchObject({ page: 5, visible: true });
  });
});

describe('folio preview: the e-book place', () => {
  beforeAll(() => openDesk(), 120_000);

  it('keeps the reading place of the e-book view over a reload', async () => {
    await open('view=ebook', deskPage, desk.url);
    const top = () =>
      deskPage.evaluate(() => {
        const bar = document.getElementById('folio-toolbar')!.getBoundingClientRect().bottom;
        return [...document.querySelectorAll<HTMLElement>('section.chapter p[data-src]')].find(
          (p) => p.getBoundingClientRect().bottom > bar + 4,
        )!.dataset.src;
      });
    await deskPage.evaluate(() => {
      const p = [...document.querySelectorAll('section.chapter p')].find((x) => x.textContent!.startsWith('第9段'))!;
      window.scrollTo(0, window.scrollY + p.getBoundingClientRect().top - 30); // its first line under the toolbar
    });
    const before = await top();
    expect(before).toMatch(/01\.md:19$/);
    const reload = deskPage.waitForNavigation({ waitUntil: 'load' });
    const file = path.join(ms, '01.md');
    writeFileSync(file, readFileSync(file, 'utf8').replace('第二段正文', '第二段文字'));
    await reload;
    await ready(deskPage);
    expect(await top()).toBe(before);
  });
});
