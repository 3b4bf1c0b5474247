// folio import: the seed becomes the committed manuscript; raw texts of our own with other artifacts.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importRaw } from '../scripts/import/import.js';
import { lintManuscript } from '../scripts/lint/lint.js';
import { loadManuscriptText } from '../scripts/manuscript/load.js';
import { createMarkdown } from '../scripts/markdown/md.js';
import { parseBookYaml } from '../scripts/config/load.js';

const SEED = 'tests/fixtures/seed/000_4a5eafba6cd81d07.txt';
const tmp = () => path.join(mkdtempSync(path.join(tmpdir(), 'folio-import-')), 'm');

/** The document as a reader meets it: block kinds and texts, containers, captions; not alt texts or file names. */
function outline(markdown: string): string[] {
  const out: string[] = [];
  const tokens = createMarkdown().parse(markdown, {});
  for (const [i, t] of tokens.entries()) {
    if (t.type === 'container_kicker_open' || t.type === 'container_byline_open' || t.type === 'container_dek_open')
      out.push(t.type.replace(/^container_|_open$/g, ''));
    if (t.type === 'heading_open') out.push(`${t.tag} ${tokens[i + 1]!.content}`);
    if (t.type === 'paragraph_open') out.push(`p ${tokens[i + 1]!.content}`);
    if (t.type === 'figure_open')
      out.push(`figure ${tokens[i + 1]!.children!.find((c) => c.type === 'image')!.attrGet('title')}`);
  }
  return out;
}

describe('folio import of the seed', async () => {
  const dir = tmp();
  const { report, files } = await importRaw(SEED, dir);

  it('accounts for every input line: kept, joined, blank, or a removed repeat', () => {
    const lines = readFileSync(SEED, 'utf8').split('\n').length;
    const a = report.accounted;
    expect(a.kept + a.joined + a.blank + a.repeats + a.pageNumbers).toBe(lines);
    // each repeated caption: every copy after the first removed (counted in the raw text itself)
    const copies = (text: string) =>
      readFileSync(SEED, 'utf8')
        .split('\n')
        .filter((l) => l.trim() === text).length;
    const repeated = [
      '▲由吉林援建的定结县江嘎镇次多村温室大棚。',
      '▲在吉林举办的“藏品入吉”展销会上,游客在选购日喀则特产。',
      '▶日喀则市萨嘎县艺术团赴吉林演出。',
    ];
    expect(report.removedRepeats.map((r) => [r.text, r.count])).toEqual(repeated.map((t) => [t, copies(t) - 1]));
    expect(repeated.every((t) => copies(t) > 2)).toBe(true);
  });

  it('joins the display title, finds kicker, byline and authors, sub-head and five figures', () => {
    expect(report.displayTitle).toMatchObject({ lines: [17, 19, 21], text: '缘藏30载 真情暖高原' });
    expect(report.kicker?.text).toBe('吉林对口支援日喀则——');
    expect(report.byline?.authors).toEqual(['旦增嘎瓦', '韩丽苹']);
    expect(report.subheads.map((s) => s.text)).toEqual(['补齐短板 持续增进民生福祉']);
    expect(report.figures.map((f) => f.marker)).toEqual(['(photo gap)', '▲', '▲', '▲', '▶']);
    expect(report.punctuation.length).toBe(103);
  });

  it('with the edits its report lists, reproduces the committed manuscript', async () => {
    let chapter = files['01-feature.md']!;
    for (const e of report.review) if (e.find && e.replace) chapter = chapter.replace(e.find, e.replace);
    const committed = readFileSync('manuscript/01-feature.md', 'utf8');
    expect(outline(chapter)).toEqual(outline(committed));
    const a = parseBookYaml(files['book.yaml']!, 'book.yaml');
    const b = parseBookYaml(readFileSync('manuscript/book.yaml', 'utf8'), 'book.yaml');
    expect([a.title, a.subtitle, a.authors, a.language]).toEqual([b.title, b.subtitle, b.authors, b.language]);
    // what the report asks an editor to add: alt texts, photos, publication data
    expect(report.review.filter((e) => !e.replace).map((e) => e.note)).toEqual([
      ...report.figures.map((_, i) => expect.stringContaining(`Figure ${i + 1}:`)),
      'Add date, edition, rights, description and slug.',
    ]);
  });

  it('writes a manuscript that lints with only the traditional character and the missing photos left', async () => {
    const r = await lintManuscript(dir);
    expect(r.diagnostics.map((d) => d.ruleId).sort()).toEqual([
      'image-missing',
      'image-missing',
      'image-missing',
      'image-missing',
      'image-missing',
      'traditional-character',
    ]);
    expect(readFileSync(path.join(dir, 'images/PLACEHOLDERS.txt'), 'utf8')).toContain(
      'images/fig-05.png\t图5\t日喀则市萨嘎县艺术团赴吉林演出。',
    );
  });
});

describe('folio import --no-normalize, then lint', () => {
  it('finds the traditional character and every half-width mark', async () => {
    const dir = tmp();
    await importRaw(SEED, dir, { normalize: false });
    const text = (await loadManuscriptText(dir))[0]!.text;
    const marks: string[] = [];
    for (const [n, line] of text.split('\n').entries()) {
      if (line.startsWith(':::')) continue;
      for (const m of line.matchAll(/[,:;]/g)) marks.push(`${n + 1}:${m.index! + 1}`);
    }
    expect(marks.length).toBe(103);
    const r = await lintManuscript(dir);
    const found = r.diagnostics.filter((d) => d.ruleId === 'punctuation-halfwidth').map((d) => `${d.line}:${d.column}`);
    expect(found.sort()).toEqual(marks.sort());
    expect(r.diagnostics.filter((d) => d.ruleId === 'traditional-character').map((d) => d.message)).toEqual([
      expect.stringContaining('"術"'),
    ]);
  });
});

describe('folio import of raw text with other artifacts', () => {
  it(
    'drops repeated page headers and stray page numbers, ' + 'joins split lines and hyphenation, loses nothing',
    async () => {
      const dir = tmp();
      const { report, files } = await importRaw('tests/fixtures/raw/artifacts.txt', dir);
      expect(report.removedRepeats).toEqual([{ text: '某某日报 2024年5月1日 第3版', count: 3, lines: [1, 15, 21] }]);
      expect(report.pageNumbers).toEqual([13, 19]);
      expect(report.hyphenJoins).toEqual([11]);
      const md = files['01-feature.md']!;
      expect(md).toContain('这是第一段，它在排版系统里被拆成了两行，导入时应当合并为一段。');
      expect(md).toContain('The school uses an international curriculum, the principal said.');
      expect(md).toContain('第二段说明了学校的情况，包括师资：共有30名教师。');
      expect(md).toContain('![学生们在新教室里上课](images/fig-01.png "学生们在新教室里上课。")');
      expect(md).toContain('# 高原上的新学校');
      expect(report.byline?.authors).toEqual(['张三']);
      const a = report.accounted;
      expect(a.kept + a.joined + a.blank + a.repeats + a.pageNumbers).toBe(
        readFileSync('tests/fixtures/raw/artifacts.txt', 'utf8').split('\n').length,
      );
    },
  );
});
