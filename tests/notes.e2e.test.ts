// Headings and footnotes that are not the seed's, built through the CLI: a heading of punctuation alone is text
// (only an empty one is refused, see bad-input); internal links inside footnotes get their page reference in
// print and reach their heading in the EPUB, and the build's check passes on what the PDF and EPUB hold.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEpub } from './helpers/epub.js';
import { folio, manuscript } from './helpers/fixture.js';
import { outline, pageCount, pageText, squash } from './helpers/pdf.js';

const book = (title: string) => `title: ${title}\nauthors: [乙]\nlanguage: zh-CN\ndate: 2026-12-01\n`;

/** Builds `files` as a booklet and an EPUB; the output folder and the PDF's text of every page. */
function build(files: Record<string, string>, extra: string[] = []) {
  const dir = manuscript({ ...files, 'images/photo.png': null });
  const out = path.join(dir, '..', `${path.basename(dir)}-out`);
  const r = folio(['build', '--manuscript', dir, '--out', out, '--target', 'booklet', 'epub', ...extra]);
  const pdf = readdirSync(out).find((f) => f.endsWith('.pdf'));
  const pdfPath = pdf ? path.join(out, pdf) : '';
  const pages = pdf ? Array.from({ length: pageCount(pdfPath) }, (_, i) => pageText(pdfPath, i + 1)) : [];
  return { r, pdfPath, pages };
}

describe('headings of punctuation alone', () => {
  it('build, pass the check, and stand in the PDF outline', () => {
    const { r, pdfPath, pages } = build({
      'book.yaml': book('标点标题'),
      '01.md': '# 只有标点\n\n开头一段。\n\n## ……\n\n中间一段。\n\n## ＊＊＊\n\n结尾一段。\n',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/check passed/);
    expect(r.stderr).not.toMatch(/heading-empty/);
    expect(squash(pages.join(''))).toMatch(/……中间一段。＊＊＊结尾一段。/);
    expect(outline(pdfPath)[0]!.kids.map((o) => o.title)).toEqual(['……', '＊＊＊']);
  });
});

const linked = {
  '01.md': '# 湖边\n\n第一段写湖[^a]。\n\n## 码头\n\n码头的故事。\n\n[^a]: 后文见[集市](#集市)。\n',
  '02.md': '# 集市\n\n集市很热闹[^b]，正文也链接[码头](#码头)。\n\n[^b]: 参见[码头](#码头)，也见[湖边](#湖边)。\n',
};

describe('internal links inside footnotes', () => {
  it.each([
    ['numbered per chapter', ''],
    ['numbered per page', 'footnotes: {numbering: page}\n'],
  ])('%s: the note prints the page of its target; the EPUB link reaches it; the check passes', async (_n, yaml) => {
    const { r, pdfPath, pages } = build({ 'book.yaml': book('链接脚注') + yaml, ...linked });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/check passed/);
    expect(r.stderr).not.toMatch(/fidelity-/);
    // the pages of the headings, from the PDF's own outline (the page number printed is the page's index)
    const [lake, market] = outline(pdfPath);
    const pier = lake!.kids[0]!;
    expect([lake!.title, pier.title, market!.title]).toEqual(['湖边', '码头', '集市']);
    const text = squash(pages.join(''));
    expect(text).toContain(`后文见集市（见第${market!.page}页）。`);
    expect(text).toContain(`参见码头（见第${pier.page}页），也见湖边（见第${lake!.page}页）。`);
    expect(text).toContain(`正文也链接码头（见第${pier.page}页）。`); // as the body's link
    // each note is printed on the page of its call, with its page reference there
    const noteA = pages.findIndex((p) => squash(p).includes('后文见集市'));
    expect(squash(pages[noteA]!)).toMatch(/第一段写湖\d/);
    await expectEpubNoteLinks(path.join(path.dirname(pdfPath), path.basename(pdfPath, '.pdf') + '.epub'));
  });
});

/** Every internal link inside an EPUB footnote names an id that its target file holds. */
async function expectEpubNoteLinks(file: string) {
  const epub = await openEpub(file);
  const chapters = epub.names.filter((n) => /ch\d+\.xhtml$/.test(n));
  const xhtml = new Map(await Promise.all(chapters.map(async (n) => [path.basename(n), await epub.text(n)] as const)));
  const links: string[] = [];
  for (const [name, body] of xhtml)
    for (const aside of body.match(/<aside[^>]*epub:type="footnote"[^]*?<\/aside>/g) ?? [])
      for (const m of aside.matchAll(/<a href="([^"]*)" class="xref">([^<]*)<\/a>/g)) {
        const [target, id] = m[1]!.includes('#') ? m[1]!.split('#') : [name, m[1]];
        expect(xhtml.get(target || name), m[1]).toContain(`id="${id}"`);
        links.push(m[2]!);
      }
  expect(links).toEqual(['集市', '码头', '湖边']);
}
