// The fidelity check's Finder (every start of many block patterns in one text, each tried only where its
// literal start stands) must give exactly what a scan of the whole text gives: the counts behind
// fidelity-missing / -duplicate / -order depend on it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Finder } from '../scripts/check/fidelity.js';

const naive = (hay: string, source: string) => {
  const re = new RegExp(source, 'gu');
  const out: number[] = [];
  for (let m = re.exec(hay); m; m = re.exec(hay)) {
    out.push(m.index);
    re.lastIndex = m.index + ((hay.codePointAt(m.index) ?? 0) > 0xffff ? 2 : 1);
  }
  return out;
};
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('Finder', () => {
  it('finds what a whole scan finds, overlapping starts included', () => {
    // a small alphabet, so that patterns occur often, overlap and share their first characters
    const text = fc.string({ unit: fc.constantFrom('缘', '藏', '3', '0', '载', 'a', '𠀀'), maxLength: 80 });
    fc.assert(
      fc.property(text, fc.array(text, { minLength: 1, maxLength: 6 }), (hay, literals) => {
        const patterns = literals.map((l) => ({
          source: `${escape(l)}(?:\\d{1,3})?`,
          key: [...l].length >= 4 ? l.slice(0, 4) : undefined,
        }));
        const keyed = patterns.filter((p) => p.key && p.source.startsWith(escape(p.key)));
        const finder = new Finder(
          hay,
          keyed.map((p) => p.key!),
        );
        for (const p of patterns) {
          const key = keyed.includes(p) ? p.key : undefined;
          expect(finder.starts(new RegExp(p.source, 'uy'), key)).toEqual(naive(hay, p.source));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('counts a repeated paragraph twice and a missing one not at all', () => {
    const hay = '第一段正文。第二段正文。第一段正文。';
    const finder = new Finder(hay, ['第一段正', '第三段正']);
    expect(finder.starts(/第一段正文。/uy, '第一段正')).toEqual([0, 12]);
    expect(finder.starts(/第三段正文。/uy, '第三段正')).toEqual([]);
  });
});
