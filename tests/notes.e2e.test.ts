// Headings and footnotes that are not the seed's, built through the CLI: a heading of punctuation alone is text
// (only an empty one is refused, see bad-input), and the build's check passes on what the PDF and EPUB hold.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
