// Opens the seed EPUB (built once per run by tests/global-setup.ts) as a reader would.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from '../scripts/build.js';
import { type Seed, seedBuild } from './helpers/seed.js';
import { findChromium } from '../scripts/paginate/browser.js';
import { epubcheck, openEpub, xhtmlText, type EpubFile } from './helpers/epub.js';
import { pageListMismatches } from './helpers/pagelist.js';
import { countOccurrences, squash } from './helpers/pdf.js';
import { formatPosition } from '../scripts/diagnostics/position.js';

const require = createRequire(import.meta.url);
interface AceReport {
  'earl:result': { 'earl:outcome': string };
  assertions: {
    assertions: {
      'earl:test': { 'earl:impact': string; 'dct:title': string };
      'earl:result': { 'dct:description': string };
    }[];
  }[];
}

let out: string;
let result: Seed['result'];
let epubPath: string;
let epub: EpubFile;
let opf: string;
let nav: string;

beforeAll(async () => {
  const seed = await seedBuild();
  ({ out, result } = seed);
  epubPath = seed.file('epub');
  epub = await openEpub(epubPath);
  opf = await epub.text('OEBPS/content.opf');
  nav = await epub.text('OEBPS/toc.xhtml');
});

describe('the seed EPUB', () => {
  it('passes epubcheck with 0 errors and 0 warnings', () => {
    const r = epubcheck(epubPath);
    expect(r.output).toMatch(/Validating using EPUB version 3/);
    expect({ fatals: r.fatals, errors: r.errors, warnings: r.warnings }, r.output).toEqual({
      fatals: 0,
      errors: 0,
      warnings: 0,
    });
    expect(r.status).toBe(0);
  });

  it('has no serious or critical accessibility violations in Ace by DAISY (system Chromium)', () => {
    const report = mkdtempSync(path.join(tmpdir(), 'folio-ace-'));
    const r = spawnSync(
      process.execPath,
      [
        path.join(path.dirname(require.resolve('@daisy/ace-cli')), '..', 'bin', 'ace.js'),
        '--silent',
        '--force',
        '--outdir',
        report,
        epubPath,
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, PUPPETEER_EXECUTABLE_PATH: findChromium(), PUPPETEER_SKIP_DOWNLOAD: '1' },
        timeout: 120_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(readFileSync(path.join(report, 'report.json'), 'utf8')) as AceReport;
    const violations = json.assertions
      .flatMap((a) => a.assertions)
      .map(
        (v) =>
          `${v['earl:test']['earl:impact']} ${v['earl:test']['dct:title']}: ${v['earl:result']['dct:description']}`,
      );
    expect(violations.filter((v) => /^(serious|critical)/.test(v))).toEqual([]);
    expect(violations).toEqual([]);
    expect(json['earl:result']['earl:outcome']).toBe('pass');
  });

  it('is a zip with mimetype first and stored, listed in the manifest', () => {
    const b = epub.bytes;
    expect(b.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
    expect(b.readUInt16LE(8)).toBe(0); // compression method: stored
    expect(b.subarray(30, 38).toString('latin1')).toBe('mimetype');
    expect(b.subarray(38, 58).toString('latin1')).toBe('application/epub+zip');
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.outputs.map((o: { target: string; file: string }) => `${o.target} ${o.file}`)).toContain(
      'epub yuancang-30zai.epub',
    );
  });

  it('declares language, authors, identifier, dates and rights from book.yaml, in Chinese', () => {
    expect(opf).toMatch(/<package [^>]*xml:lang="zh-CN"/);
    expect(opf).toContain('<dc:language>zh-CN</dc:language>');
    expect([...opf.matchAll(/<dc:creator id="[^"]+">([^<]+)<\/dc:creator>/g)].map((m) => m[1])).toEqual([
      '旦增嘎瓦',
      '韩丽苹',
    ]);
    expect(opf).toContain(`<dc:identifier id="pub-id">${result.book.meta.identifier}</dc:identifier>`);
    expect(result.book.meta.identifier).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(opf).toContain('<meta property="dcterms:modified">2026-11-29T00:00:00Z</meta>');
    expect(opf).toContain('<dc:rights>文字版权归原作者所有。');
    expect(opf).not.toMatch(/All rights reserved|Copyright|epub-gen"/);
  });

  it('declares the cover the EPUB 3 way and has a cover page', async () => {
    expect(opf).toMatch(
      /<item id="img-cover" href="images\/cover\.jpeg" media-type="image\/jpeg" properties="cover-image"\/>/,
    );
    const cover = await epub.text('OEBPS/cover.xhtml');
    expect(cover).toMatch(/epub:type="cover"/);
    expect(cover).toMatch(/<img role="doc-cover" src="images\/cover\.jpeg" alt="封面：缘藏30载/);
    expect(epub.names).toContain('OEBPS/images/cover.jpeg');
  });

  it('carries EPUB Accessibility 1.1 metadata', () => {
    for (const p of [
      'schema:accessMode',
      'schema:accessModeSufficient',
      'schema:accessibilityFeature',
      'schema:accessibilityHazard',
      'schema:accessibilitySummary',
      'dcterms:conformsTo',
    ]) {
      expect(opf).toContain(`property="${p}"`);
    }
    expect(opf).toContain('EPUB Accessibility 1.1 - WCAG 2.1 Level AA');
  });

  it('has a nested table of contents, landmarks and a page-list', () => {
    expect(nav).toMatch(
      /<nav epub:type="toc"[^>]*>[\s\S]*<ol><li><a href="ch1\.xhtml#ch1-title">共筑幸福路 阔步向未来<\/a><ol><li><a href="ch1\.xhtml#ch1-s1">补齐短板 持续增进民生福祉<\/a><\/li><\/ol><\/li><\/ol>/,
    );
    const landmarks = /<nav epub:type="landmarks"[\s\S]*?<\/nav>/.exec(nav)![0];
    expect([...landmarks.matchAll(/epub:type="(\w+)" href/g)].map((m) => m[1])).toEqual(['cover', 'toc', 'bodymatter']);
    expect(nav).toMatch(/<nav epub:type="page-list"/);
  });

  it("has a page-list of the booklet's real pages, each marker where that printed page begins", async () => {
    const list = [...nav.matchAll(/<li><a href="([^"#]+)#(page-(\d+))">(\d+)<\/a><\/li>/g)].map((m) => ({
      file: m[1]!,
      id: m[2]!,
      n: Number(m[4]),
    }));
    expect(list.length).toBe(result.epub!.pageList);
    expect(list.map((p) => p.n)).toEqual([...list.map((p) => p.n)].sort((a, b) => a - b));
    const check = await pageListMismatches(epub, path.join(out, 'yuancang-30zai.pdf'));
    expect(check.checked).toBeGreaterThanOrEqual(5);
    expect(check.problems).toEqual([]);
  });

  it('has every paragraph, heading and caption of the manuscript exactly once', async () => {
    const text = squash(xhtmlText(await epub.text('OEBPS/ch1.xhtml')));
    for (const b of result.book.chapters[0]!.blocks)
      expect(countOccurrences(text, squash(b.text)), formatPosition(b.source)).toBe(1);
  });

  it('has figures with captions and meaningful alt text', async () => {
    const xhtml = await epub.text('OEBPS/ch1.xhtml');
    const figures = [
      ...xhtml.matchAll(
        /<figure>\s*<img src="images\/([^"]+)" alt="([^"]+)"\/>\s*<figcaption>([^<]+)<\/figcaption>\s*<\/figure>/g,
      ),
    ];
    expect(figures.map((f) => f[1])).toEqual([
      '01-lake.png',
      '02-drum.png',
      '03-greenhouse.png',
      '04-expo.png',
      '05-troupe.png',
    ]);
    for (const f of figures) expect(f[2]).not.toMatch(/placeholder/);
    expect(xhtml).not.toContain('image-placeholder');
  });

  it(
    'embeds one subset per face the book uses (serif and ' + 'the sans of headings, dek, captions), with licences',
    async () => {
      expect(opf).toContain('href="fonts/serif-regular.woff2" media-type="font/woff2"');
      expect(opf).toContain('href="fonts/sans-regular.woff2" media-type="font/woff2"');
      expect(opf).toContain('href="fonts/sans-bold.woff2" media-type="font/woff2"');
      expect(epub.names).toContain('OEBPS/fonts/OFL.txt');
      expect(await epub.text('OEBPS/fonts/OFL.txt')).toMatch(/SIL OPEN FONT LICENSE Version 1\.1/);
      const r = result.epub!;
      expect(r.fontAfter).toBeLessThan(r.fontBefore / 20);
      const css = await epub.text('OEBPS/style.css');
      expect(css).toMatch(/@font-face\s*\{[^}]*font-family: ["']Folio Serif["']/);
      expect(css).toMatch(/@font-face\s*\{[^}]*font-family: ["']Folio Sans["']/);
      // every stack ends in embedded faces: no system or generic family a reading system would pick
      const stacks = [...css.matchAll(/font-family:\s*([^;}]+)/g)].map((m) => m[1]!.trim());
      expect(stacks.length).toBeGreaterThan(3);
      for (const s of stacks) expect(s).toMatch(/^('Folio (Serif|Sans|Mono)'(, )?)+$/);
      expect(css).not.toMatch(/@page|(?<!font-)size\s*:|\b(width|height):\s*\d+(px|pt|mm)/);
    },
  );

  it('uses Chinese for every reading-system label', async () => {
    expect(nav).toContain('<h1 id="toc-title">目录</h1>');
    const title = await epub.text('OEBPS/titlepage.xhtml');
    expect(title).toContain('版权信息');
    expect(title).not.toMatch(/Table of Content|Copyright/);
  });

  it('is byte-for-byte reproducible', async () => {
    const again = await build({
      manuscript: 'manuscript',
      out: mkdtempSync(path.join(tmpdir(), 'folio-epub-again-')),
      targets: ['epub'],
    });
    expect(again.outputs[0]!.sha256).toBe(result.outputs.find((o) => o.target === 'epub')!.sha256);
  });
});
