// What lint says about quotation marks follows the book's language, through the real CLI: a zh-TW book is
// told to use 「 」 with 『 』 inside and `--fix` writes 「…」 (before, every book was told "“ ” with ‘ ’
// inside for zh-CN", and --fix put “…” into a Traditional book); zh-CN keeps “ ”; other languages get no
// Chinese convention.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folio, manuscript } from './helpers/fixture.js';

const TEXT = '# 第一章\n\n「一」和「二」還有“三”。他說"好"。\n';
const book = (language: string) =>
  manuscript({
    'book.yaml': `title: 測試\nauthors: [甲]\nlanguage: ${language}\ndate: 2026-01-02\nslug: t\n`,
    '01.md': TEXT,
  });
/** Each finding of `rule` with its hint, from `folio lint`'s text output. */
const findings = (out: string, rule: string) =>
  [...out.matchAll(new RegExp(`^(.*) ${rule}\\n  hint: (.*)$`, 'gm'))].map((m) => ({ message: m[1]!, hint: m[2]! }));

describe('quotation marks by language (folio lint)', () => {
  it('zh-TW: the hint names 「 」 / 『 』 and --fix writes 「…」, never zh-CN’s “…”', () => {
    const dir = book('zh-TW');
    const r = folio(['lint', dir]);
    expect(r.stdout).not.toMatch(/zh-CN|“ ”/);
    const mixed = findings(r.stdout, 'quote-style-mixed');
    expect(mixed).toHaveLength(2); // the minority “ and ”
    for (const f of mixed)
      expect(f.hint).toBe(
        'Use one quotation style: 「 」 with 『 』 inside, as zh-TW books set them (book.yaml language).',
      );
    const straight = findings(r.stdout, 'quote-straight');
    expect(straight.map((f) => f.message)).toEqual([expect.stringMatching(/expected 「…」$/)]);
    expect(straight[0]!.hint).toMatch(/^Use 「 」 \(and 『 』 inside\)/);
    folio(['lint', dir, '--fix']);
    expect(readFileSync(path.join(dir, '01.md'), 'utf8')).toContain('他說「好」。');
  });

  it('zh-CN: “ ” with ‘ ’ inside, and --fix writes “…”', () => {
    const dir = book('zh-CN');
    const r = folio(['lint', dir]);
    for (const f of findings(r.stdout, 'quote-style-mixed'))
      expect(f.hint).toBe(
        'Use one quotation style: “ ” with ‘ ’ inside, as zh-CN books set them (book.yaml language).',
      );
    expect(findings(r.stdout, 'quote-straight')[0]!.message).toMatch(/expected “…”$/);
    folio(['lint', dir, '--fix']);
    expect(readFileSync(path.join(dir, '01.md'), 'utf8')).toMatch(/“好”。/);
  });

  it('a book in another language is told to use one style, without a Chinese convention', () => {
    const r = folio(['lint', book('en')]);
    const mixed = findings(r.stdout, 'quote-style-mixed');
    expect(mixed.length).toBeGreaterThan(0);
    for (const f of mixed) expect(f.hint).toBe('Use one quotation style throughout the manuscript.');
  });
});
