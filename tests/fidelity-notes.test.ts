// The check's accounting of footnotes whose text holds an internal link (print text as pdftotext gives it,
// squashed): found with the page reference; without it, one finding at the note and the note still taken out.
import { describe, expect, it } from 'vitest';
import { takeNotes, type Rendering } from '../scripts/check/fidelity.js';
import type { Diagnostic } from '../scripts/diagnostics/diagnostic.js';
import { loadManuscript } from '../scripts/manuscript/load.js';
import { buildBook } from '../scripts/model/book.js';
import { bookTexts } from '../scripts/render/texts.js';
import { manuscript } from './helpers/fixture.js';

const files = { '01.md': '# 第一章\n\n正文。\n\n脚注中有链接[^lnk]。\n\n[^lnk]: 见[第一章](#第一章)。\n' };
const print: Rendering = { kind: 'print', numbering: 'chapter', texts: bookTexts('zh-CN') };

async function take(text: string) {
  const book = buildBook(await loadManuscript(manuscript(files)));
  const out: Diagnostic[] = [];
  return { rest: takeNotes(book, text, 'b.pdf', print, out), out };
}

describe('footnotes with an internal link, in the check', () => {
  it('a note with its page reference is found and taken out, without a finding', async () => {
    const { rest, out } = await take('第一章正文。脚注中有链接1。1见第一章（见第5页）。');
    expect(out).toEqual([]);
    expect(rest).toBe('第一章正文。脚注中有链接1。');
  });

  it('a note printed without it: one finding at the note, and its words are not left to count again', async () => {
    const { rest, out } = await take('第一章正文。脚注中有链接1。1见第一章。');
    expect(out.map((d) => `${d.line}:${d.column} ${d.ruleId} ${d.message}`)).toEqual([
      '7:1 fidelity-missing b.pdf: footnote 1 lacks the page reference or address of a link in it: "见第一章。…"',
    ]);
    expect(rest).toBe('第一章正文。脚注中有链接1。');
  });

  it('a lost note is still missing', async () => {
    const { rest, out } = await take('第一章正文。脚注中有链接1。');
    expect(out.map((d) => d.message)).toEqual(['b.pdf: footnote 1 is missing: "见第一章。…"']);
    expect(rest).toBe('第一章正文。脚注中有链接1。');
  });
});
