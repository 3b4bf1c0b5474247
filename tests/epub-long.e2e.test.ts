// A longer manuscript of our own making: pages break inside paragraphs, chapters have footnotes.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../scripts/build.js';
import { epubcheck, openEpub, xhtmlText, type EpubFile } from './helpers/epub.js';
import { pageListMismatches } from './helpers/pagelist.js';
import { blockPattern } from '../scripts/check/fidelity.js';
import { bookTexts } from '../scripts/render/texts.js';
import { squash } from './helpers/pdf.js';
import { formatPosition } from '../scripts/diagnostics/position.js';

const dir = mkdtempSync(path.join(tmpdir(), 'folio-long-'));
const ms = path.join(dir, 'manuscript');
const out = path.join(dir, 'dist');
let result: BuildResult;
let epub: EpubFile;

beforeAll(async () => {
  mkdirSync(ms);
  cpSync('manuscript/images', path.join(ms, 'images'), { recursive: true });
  const seed = readFileSync('manuscript/01-feature.md', 'utf8');
  const body = seed
    .split('\n\n')
    .filter(
      (b) => !b.startsWith('::: kicker') && !b.startsWith('::: byline') && !b.startsWith('# ') && !b.startsWith('!['),
    );
  for (let i = 1; i <= 3; i++) {
    const text = body.map((b) => b.replace(/^## (.*)$/m, `## $1（${i}）`)).join('\n\n');
    // one very long paragraph so that a page must break inside it, and a footnote
    const long = Array.from(
      { length: 30 },
      (_, k) => `长段落的第${k + 1}句，用来检验页面在段落中间断开时的位置。`,
    ).join('');
    writeFileSync(
      path.join(ms, `0${i}-part.md`),
      `# 第${i}部分\n\n${text}\n\n${long}[^n${i}]\n\n### 小结（${i}）\n\n本部分完。\n\n[^n${i}]: 补充说明（注${i}）。\n`,
    );
  }
  writeFileSync(
    path.join(ms, 'book.yaml'),
    'title: 长文测试\nauthors: [测试者]\nlanguage: zh-CN\ndate: 2026-01-02\nslug: long-test\n',
  );
  result = await build({ manuscript: ms, out });
  epub = await openEpub(path.join(out, 'long-test.epub'));
});

describe('a longer manuscript as EPUB', () => {
  it('passes epubcheck with 0 errors and 0 warnings', () => {
    const r = epubcheck(path.join(out, 'long-test.epub'));
    expect({ fatals: r.fatals, errors: r.errors, warnings: r.warnings }, r.output).toEqual({
      fatals: 0,
      errors: 0,
      warnings: 0,
    });
  });

  it("puts page markers exactly where the booklet's pages begin, also inside paragraphs", async () => {
    const check = await pageListMismatches(epub, path.join(out, 'long-test.pdf'));
    expect(check.checked).toBeGreaterThanOrEqual(12);
    expect(check.midParagraph).toBeGreaterThan(3);
    expect(check.problems).toEqual([]);
  });

  it('nests the table of contents three levels deep', async () => {
    const nav = await epub.text('OEBPS/toc.xhtml');
    const toc = /<nav epub:type="toc"[\s\S]*?<\/nav>/.exec(nav)![0];
    expect(toc).toContain(
      '<li><a href="ch2.xhtml#ch2-title">第2部分</a><ol>' +
        '<li><a href="ch2.xhtml#ch2-s1">补齐短板 持续增进民生福祉（2）</a><ol>' +
        '<li><a href="ch2.xhtml#ch2-s2">小结（2）</a></li></ol></li></ol></li>',
    );
  });

  it('marks footnotes as EPUB 3 notes', async () => {
    const x = await epub.text('OEBPS/ch1.xhtml');
    expect(x).toMatch(/<a href="#fn-ch1-1" id="fnref-ch1-1" epub:type="noteref" role="doc-noteref">\[1\]<\/a>/);
    // the note shows its number, which links back to the call; no ↩
    expect(x).toMatch(
      /<aside id="fn-ch1-1" epub:type="footnote" role="doc-footnote">\s*<p><a href="#fnref-ch1-1" role="doc-backlink" class="fn-back">1<\/a> 补充说明（注1）。/,
    );
    expect(x).not.toContain('↩');
  });

  it('keeps every block of every chapter exactly once', async () => {
    for (const [i, c] of result.book.chapters.entries()) {
      const text = squash(xhtmlText(await epub.text(`OEBPS/ch${i + 1}.xhtml`)));
      // a block with a footnote call reads with the call's [n] where the call sits; the note with its number
      for (const b of c.blocks) {
        const re = new RegExp(blockPattern(b, { kind: 'epub', numbering: 'chapter', texts: bookTexts('zh-CN') }), 'g');
        expect(text.match(re)?.length ?? 0, formatPosition(b.source)).toBe(1);
      }
      expect(c.blocks.filter((b) => b.kind === 'footnote').length).toBe(1);
    }
  });
});
