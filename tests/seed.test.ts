// The committed manuscript against the raw newspaper text it was made from: nothing lost, nothing doubled.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadManuscript } from '../scripts/manuscript/load.js';
import { buildBook } from '../scripts/model/book.js';
import { formatPosition } from '../scripts/diagnostics/position.js';

// A copy of shared/seed/000_4a5eafba6cd81d07.txt, so a clone alone can run the tests.
const SEED = 'tests/fixtures/seed/000_4a5eafba6cd81d07.txt';
const squash = (s: string) => s.replace(/\s+/g, '');
const count = (hay: string, needle: string) => hay.split(needle).length - 1;

/** The only edits the manuscript may make to a line of the seed. */
function normalise(line: string): string {
  return line
    .replace(/^#\s*/, '')
    .replace(/^[▲▶◀▼◆]/, '')
    .replace(
      /(?<=\p{Script=Han}|[“”）])([,:;])|([,:;])(?=\p{Script=Han}|[“（])/gu,
      (m) => ({ ',': '，', ':': '：', ';': '；' })[m.trim()] ?? m,
    )
    .replace(/技術/g, '技术');
}

describe('manuscript/ is the seed, faithfully', async () => {
  const raw = readFileSync(SEED, 'utf8');
  const m = await loadManuscript('manuscript');
  const book = buildBook(m);
  const blocks = book.chapters.flatMap((c) => c.blocks);
  const text = squash(book.meta.title + blocks.map((b) => b.text).join(''));
  const lines = [
    ...new Set(
      raw
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .map(normalise),
    ),
  ];

  it('keeps every distinct line of the seed exactly once', () => {
    // 2 lead, 5 captions, kicker, headline, byline, 3 title lines, 2 heading lines, 14 body
    expect(lines.length).toBe(29);
    for (const line of lines) expect(count(text, squash(line)), line).toBe(1);
  });

  it('adds no text of its own', () => {
    const seed = squash(lines.join(''));
    for (const b of blocks) expect(seed, `${formatPosition(b.source)} ${b.text}`).toContain(squash(b.text));
  });

  it('collapses the repeated captions to the five figures, each once, in the order the photos stood', () => {
    expect(book.figures.map((f) => f.caption)).toEqual([
      '吉林援藏规划设计的日喀则市贡觉林卡明珠湖。',
      '在“吉藏一家亲”冬令营活动中，日喀则学生在朝鲜族学生指导下学习打鼓。',
      '由吉林援建的定结县江嘎镇次多村温室大棚。',
      '在吉林举办的“藏品入吉”展销会上，游客在选购日喀则特产。',
      '日喀则市萨嘎县艺术团赴吉林演出。',
    ]);
    for (const f of book.figures) expect(f.alt.length).toBeGreaterThan(4);
  });

  it('restores the structure: kicker, headline, byline, dek, section heading, one display title', () => {
    const html = book.chapters[0]!.html;
    expect(html).toMatch(/<div class="kicker"[^>]*>\s*<p[^>]*>吉林对口支援日喀<span class="nobr">则——<\/span><\/p>/);
    expect(book.headings.map((h) => `${h.level} ${h.text}`)).toEqual([
      '1 共筑幸福路 阔步向未来',
      '2 补齐短板 持续增进民生福祉',
    ]);
    expect(html).toMatch(/<div class="byline"[^>]*>\s*<p[^>]*>文\/图 西藏日报记者 旦增嘎瓦 本报记者 韩丽苹<\/p>/);
    expect(html).toMatch(/<div class="dek"[^>]*>\s*<p[^>]*>从茫茫长白山/);
    expect(book.meta.title).toBe('缘藏30载 真情暖高原');
    expect(m.config.authors).toEqual(['旦增嘎瓦', '韩丽苹']);
  });

  it('uses full-width punctuation in Chinese text and simplified characters only', () => {
    const all = m.chapters.map((c) => c.text).join('\n');
    expect(all).not.toMatch(/\p{Script=Han}[,:;]|[,:;]\p{Script=Han}/u);
    expect(all).not.toContain('技術');
    expect(all).toContain('技术改革升级');
  });
});
