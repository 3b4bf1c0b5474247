// Default output names: the title in pinyin, stable, ASCII; a suffix only where the desk has the name already.
import { describe, expect, it } from 'vitest';
import { buildBook } from '../scripts/model/book.js';
import { slugFromTitle, uniqueSlug } from '../scripts/model/slug.js';
import { loadManuscript } from '../scripts/manuscript/load.js';
import { manuscript } from './helpers/fixture.js';

const hash = 'd665c49b'.padEnd(64, '0');

describe('slug from the title', () => {
  it.each([
    ['新的一本书', 'xin-de-yi-ben-shu'],
    ['缘藏30载 真情暖高原', 'yuan-cang-30-zai-zhen-qing-nuan-gao-yuan'],
    // polyphones read in context (长城 cháng, 行长 háng zhǎng); ü as v
    ['绿色长城', 'lv-se-chang-cheng'],
    ['银行行长说', 'yin-hang-hang-zhang-shuo'],
    // Latin words lower-cased, full-width punctuation and digits normalised
    ['Folio：手册（第２版）', 'folio-shou-ce-di-2-ban'],
    ['Café 日记', 'cafe-ri-ji'],
  ])('%s → %s', (title, slug) => {
    expect(slugFromTitle(title, hash)).toBe(slug);
  });

  it('is ASCII, at most 60 characters, cut between syllables', () => {
    const s = slugFromTitle('中华人民共和国成立七十周年纪念特刊：记者们走过的万水千山与他们写下的故事', hash);
    expect(s).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(s.length).toBeLessThanOrEqual(60);
    expect(s.startsWith('zhong-hua-ren-min-gong-he-guo')).toBe(true);
  });

  it('falls back to book-<hash> only when the title has nothing to spell', () => {
    expect(slugFromTitle('——《》', hash)).toBe('book-d665c49b');
  });

  it('is what the build names the files when book.yaml has no slug, and the same on every build', async () => {
    const dir = manuscript({ 'book.yaml': 'title: 新的一本书\nauthors: [甲]\nlanguage: zh-CN\ndate: 2026-01-02\n' });
    const a = buildBook(await loadManuscript(dir));
    const edited = manuscript({
      'book.yaml': 'title: 新的一本书\nauthors: [甲]\nlanguage: zh-CN\ndate: 2026-01-02\n',
      '01.md': '# 第一章\n\n改过的正文。\n',
    });
    expect(a.meta.slug).toBe('xin-de-yi-ben-shu');
    // editing the text never renames the outputs
    expect(buildBook(await loadManuscript(edited)).meta.slug).toBe('xin-de-yi-ben-shu');
  });
});

describe('unique on the desk', () => {
  it('keeps the plain name when it is free', () => {
    expect(uniqueSlug('新的一本书', 'a', new Set(['yuan-cang']))).toBe('xin-de-yi-ben-shu');
  });

  it('adds four hex digits of the title for a homophone, of title and folder for the same title', () => {
    const taken = new Set(['xin-de-yi-ben-shu']);
    const homophone = uniqueSlug('心的一本书', 'b', taken);
    expect(homophone).toMatch(/^xin-de-yi-ben-shu-[0-9a-f]{4}$/);
    // stable: the same title on the same desk gets the same name again
    expect(uniqueSlug('心的一本书', 'b', taken)).toBe(homophone);
    const twice = uniqueSlug('新的一本书', 'c', new Set([...taken, uniqueSlug('新的一本书', 'x', taken)]));
    expect(twice).toMatch(/^xin-de-yi-ben-shu-[0-9a-f]{4}$/);
    expect(new Set([...taken, homophone, twice, uniqueSlug('新的一本书', 'x', taken)]).size).toBe(4);
  });
});
