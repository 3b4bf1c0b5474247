// A real reading system: epub.js in headless Chromium opens the EPUB, shows the cover and the first chapter.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedBuild } from './helpers/seed.js';
import { launchBrowser, newPage } from '../scripts/paginate/browser.js';
import { ORIGIN, serveBundle } from '../scripts/paginate/serve.js';
import { computeGeometry } from '../scripts/render/geometry.js';

const require = createRequire(import.meta.url);
const ARTIFACTS = 'test-artifacts';
let browser: Browser;
let page: Page;
const refused: string[] = [];

beforeAll(async () => {
  const epub = readFileSync((await seedBuild()).file('epub'));
  const html = `<!doctype html><html><head><meta charset="utf-8">
<script src="lib/jszip.min.js"></script><script src="lib/epub.min.js"></script></head>
<body style="margin:0"><div id="viewer" style="width:600px;height:800px"></div></body></html>`;
  browser = await launchBrowser();
  page = await newPage(browser);
  await page.setViewport({ width: 600, height: 800 });
  const log = await serveBundle(
    page,
    {
      entry: 'index.html',
      files: new Map<string, string | Uint8Array>([
        ['index.html', html],
        ['book.epub', epub],
      ]),
      mounts: [],
      geometry: computeGeometry({ width: 148, height: 210 }),
    },
    [
      { prefix: 'lib/', dir: path.dirname(require.resolve('jszip/dist/jszip.min.js')) },
      { prefix: 'lib/', dir: path.join(path.dirname(require.resolve('epubjs')), '..', 'dist') },
    ],
  );
  await page.goto(`${ORIGIN}index.html`, { waitUntil: 'load' });
  await page.evaluate(async () => {
    const w = window as unknown as {
      ePub: (u: string, o: object) => { renderTo(id: string, o: object): { display(t?: string): Promise<void> } };
      rendition: unknown;
      book: unknown;
    };
    const book = w.ePub('book.epub', { openAs: 'epub' });
    const rendition = book.renderTo('viewer', {
      width: 600,
      height: 800,
      flow: 'paginated',
      spread: 'none',
      allowScriptedContent: false,
    });
    w.book = book;
    w.rendition = rendition;
    await rendition.display();
  });
  refused.push(...log.refused);
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

const frame = async () => {
  const handle = await page.waitForSelector('#viewer iframe');
  return (await handle!.contentFrame())!;
};

describe('the EPUB in epub.js', () => {
  it('shows the cover first', async () => {
    const f = await frame();
    await f.waitForSelector('img[role="doc-cover"]');
    const img = await f.$eval('img[role="doc-cover"]', async (i) => {
      const im = i as HTMLImageElement;
      await im.decode();
      return {
        w: im.naturalWidth,
        h: im.naturalHeight,
        complete: im.complete,
        shownHeight: im.getBoundingClientRect().height,
      };
    });
    expect(img.complete).toBe(true);
    expect(img.shownHeight).toBeGreaterThan(600); // fills the 800 px reader page, not a thumbnail
    expect(img.w).toBeGreaterThan(500);
    expect(img.h / img.w).toBeCloseTo(210 / 148, 1);
    writeFileSync(path.join(ARTIFACTS, 'epubjs-cover.png'), await page.screenshot({ type: 'png' }));
  });

  it('renders the first chapter in the embedded font', async () => {
    await page.evaluate(async () => {
      await (window as unknown as { rendition: { display(t: string): Promise<void> } }).rendition.display('ch1.xhtml');
    });
    const f = await frame();
    await f.waitForSelector('#ch1-title');
    const probe = await f.evaluate(async () => {
      await document.fonts.ready;
      const p = [...document.querySelectorAll('p')].find((e) => e.textContent?.startsWith('吉林省援藏工作队始终'))!;
      const faces = [...document.fonts].map((ff) => `${ff.family.replace(/"/g, '')}:${ff.status}`);
      return {
        title: document.querySelector('#ch1-title')?.textContent,
        family: getComputedStyle(p).fontFamily,
        faces,
        ready: document.fonts.check('16px "Folio Serif"', '吉林省援藏工作队'),
        heading: getComputedStyle(document.querySelector('#ch1-title')!).fontFamily,
        text: document.body.textContent ?? '',
      };
    });
    expect(probe.title).toBe('共筑幸福路 阔步向未来');
    expect(probe.family).toMatch(/^"?Folio Serif"?,/);
    expect(probe.heading).toMatch(/^"?Folio Sans"?,/);
    expect(probe.faces).toContain('Folio Serif:loaded');
    expect(probe.faces).toContain('Folio Sans:loaded');
    expect(probe.ready).toBe(true);
    expect(probe.text).toContain('吉林省援藏工作队始终把民生援藏摆在优先位置');
    writeFileSync(path.join(ARTIFACTS, 'epubjs-ch1.png'), await page.screenshot({ type: 'png' }));
  });

  it('fetched nothing outside the EPUB', () => {
    expect(refused).toEqual([]);
  });
});
