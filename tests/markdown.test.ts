// Fixture-driven, as markdown-it does it: title, then input and expected HTML between "." lines; one fixture
// file per plugin (and commonmark.txt for markdown-it's own behaviour) in tests/fixtures/markdown/.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkHtml } from '../scripts/markdown/html-policy.js';
import { createMarkdown } from '../scripts/markdown/md.js';

interface Case {
  title: string;
  line: number;
  input: string;
  expected: string;
}

function readFixtures(file: string): Case[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const cases: Case[] = [];
  const until = (from: number) => {
    let j = from;
    while (j < lines.length && lines[j] !== '.') j++;
    return j;
  };
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.trim()) continue;
    const title = lines[i]!;
    if (lines[i + 1] !== '.') throw new Error(`${file}:${i + 2}: expected "." after the title`);
    const inputEnd = until(i + 2);
    const expectedEnd = until(inputEnd + 1);
    cases.push({
      title,
      line: i + 1,
      input: lines.slice(i + 2, inputEnd).join('\n'),
      expected: lines.slice(inputEnd + 1, expectedEnd).join('\n'),
    });
    i = expectedEnd;
  }
  return cases;
}

const md = createMarkdown();
const DIR = 'tests/fixtures/markdown';
const PLUGINS = [
  'attrs',
  'cjk-breaks',
  'cjk-friendly',
  'containers',
  'figures',
  'footnote',
  'general',
  'html-policy',
  'longword',
  'nobreak',
];

describe('markdown fixtures (tests/fixtures/markdown/)', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.txt'));
  it('has one fixture file per plugin, each with cases', () => {
    expect(files.sort()).toEqual(['commonmark', ...PLUGINS].sort().map((p) => `${p}.txt`));
    for (const f of files) expect(readFixtures(`${DIR}/${f}`).length, f).toBeGreaterThan(0);
  });
  for (const file of files.sort()) {
    for (const c of readFixtures(`${DIR}/${file}`)) {
      it(`${file}:${c.line}: ${c.title}`, () => {
        expect(md.render(c.input).trim()).toBe(c.expected.trim());
      });
    }
  }
});

describe('raw HTML policy', () => {
  it.each([
    ['<sup>2</sup>', null],
    ['<ruby>藏<rt>zàng</rt></ruby>', null],
    ['<span class="x" lang="bo">ཀ</span>', null],
    ['<a id="x"></a>', null],
    ['<script>', 'tag <script> is not allowed'],
    ['<iframe src="x">', 'tag <iframe> is not allowed'],
    ['<span onmouseover="x">', 'attribute "onmouseover" on <span> is not allowed'],
    ['<span style="background:url(x)">', 'attribute "style" on <span> is not allowed'],
    ['<a href="javascript:x">', 'attribute "href" on <a> is not allowed'],
    ['<a id="x" onclick="y">', 'attribute "onclick" on <a> is not allowed'],
    ['<div id="x">', 'tag <div> is not allowed'],
    ['<sup/onload=x>', 'malformed attributes on <sup>'],
  ])('%s', (html, expected) => expect(checkHtml(html)).toBe(expected));
});
