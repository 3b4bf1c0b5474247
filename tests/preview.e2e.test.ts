// folio preview with the real Chromium: open the page, edit the manuscript, see the new text on a page.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage } from '../scripts/paginate/browser.js';
import { startPreview, type Preview } from '../scripts/preview/server.js';

let browser: Browser;
let page: Page;
let preview: Preview;
const dir = path.join(mkdtempSync(path.join(tmpdir(), 'folio-preview-')), 'manuscript');
const chapter = path.join(dir, '01-feature.md');

const ready = () =>
  page.waitForFunction(() => (window as unknown as { __folioReady?: boolean }).__folioReady === true, {
    timeout: 60_000,
  });
const pageText = () =>
  page.evaluate(() => [...document.querySelectorAll('.pagedjs_page')].map((p) => p.textContent ?? '').join('\n'));

beforeAll(async () => {
  cpSync('manuscript', dir, { recursive: true });
  preview = await startPreview({ manuscript: dir, port: 0 });
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
    expect(await page.$$eval('.pagedjs_page', (p) => p.length)).toBe(14);
    expect(await pageText()).toContain('补齐短板 持续增进民生福祉');
  });

  it('reloads after an edit, shows the new text on a page and keeps the reader on the same page', async () => {
    // read page 9, then edit a sentence on it
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
    expect(preview.lastRebuildMs).toBeLessThan(2000);
  });

  it('shows a broken save in an overlay without dying, and clears it when fixed', async () => {
    const good = readFileSync(chapter, 'utf8');
    writeFileSync(chapter, `${good}\n::: dek\n没有关上的容器。\n`);
    await page.waitForFunction(
      () => (document.getElementById('folio-overlay')?.textContent ?? '').includes('container-unclosed'),
      { timeout: 30_000 },
    );
    const text = await page.$eval('#folio-overlay', (e) => e.textContent);
    expect(text).toMatch(/01-feature\.md:\d+:1 error Container is never closed with ":::" container-unclosed/);
    expect(await pageText()).toContain('为提升日喀则基层医疗救治水平'); // the last good book stays
    const reload = page.waitForNavigation({ waitUntil: 'load' });
    writeFileSync(chapter, good);
    await reload;
    await ready();
    expect(await page.$eval('#folio-overlay', (e) => (e as HTMLElement).style.display)).toBe('none');
  });

  it('toggles between booklet, press (bleed and marks) and e-book views', async () => {
    await page.goto(`${preview.url}index.html?view=press`, { waitUntil: 'load' });
    await ready();
    expect(await page.$$eval('.pagedjs_marks-crop', (m) => m.length)).toBeGreaterThan(0);
    await page.goto(`${preview.url}index.html?view=ebook`, { waitUntil: 'load' });
    await ready();
    expect(await page.$$eval('.pagedjs_page', (p) => p.length)).toBe(0);
    expect(await page.evaluate(() => document.body.textContent)).toContain('补齐短板 持续增进民生福祉');
    expect(await page.$$eval('#folio-toolbar a', (a) => a.map((x) => x.textContent))).toEqual([
      'booklet',
      'press',
      'ebook',
    ]);
  });
});
