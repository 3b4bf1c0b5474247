// The catalogue of bad input: each case a message in file:line:col form with a hint, exit 1 (2 for
// usage), and the previous outputs untouched. None of these reaches the browser.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folio, manuscript, previousOutputs } from './helpers/fixture.js';

/** A PNG header that claims a huge image (the check reads the header; no need for the pixels). */
function hugePng(): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(20000, 16);
  b.writeUInt32BE(20000, 20);
  return b;
}

const md = (body: string) => ({ '01.md': `# 第一章\n\n${body}\n` });
const Y = 'title: 测试\nauthors: [甲]\nlanguage: zh-CN\n';

const cases: [string, Record<string, string | Buffer | null>, RegExp, string[]?][] = [
  [
    'invalid YAML in book.yaml',
    { 'book.yaml': 'title: [测试\nauthors: [甲]\n' },
    /book\.yaml:\d+:\d+ error Invalid YAML: .* config-yaml/,
  ],
  [
    'a missing required field',
    { 'book.yaml': 'title: 测试\nlanguage: zh-CN\n' },
    /book\.yaml:1:1 error Missing required field "authors" config-required/,
  ],
  [
    'a wrong type (authors: 3)',
    { 'book.yaml': 'title: 测试\nauthors: 3\nlanguage: zh-CN\n' },
    /book\.yaml:2:10 error authors: .* config-invalid-type/,
  ],
  [
    'an unknown trim',
    { 'book.yaml': `${Y}trim: A9\n` },
    /book\.yaml:4:7 error trim: Unknown trim.* config-invalid-value/,
  ],
  [
    'a chapter listed but missing',
    { 'book.yaml': `${Y}chapters: [01.md, 02.md]\n` },
    /book\.yaml:4:19 error chapters\[1\]: Chapter file not found: 02\.md chapter-missing/,
  ],
  ['an empty chapter', { '01.md': '\n\n' }, /01\.md:1:1 error Chapter is empty chapter-empty/],
  [
    'a file that is not UTF-8',
    { '01.md': Buffer.concat([Buffer.from('# 第一章\n\n正文'), Buffer.from([0xd5, 0xfd, 0x0a])]) },
    /01\.md:3:3 error File is not valid UTF-8 encoding-utf8/,
  ],
  [
    'a BOM',
    { '01.md': '\uFEFF# 第一章\n\n正文。\n' },
    /01\.md:1:1 error File starts with a byte order mark \(BOM\) encoding-bom/,
  ],
  [
    'a missing image',
    md('![缺](images/none.png "不存在。")'),
    /01\.md:3:6 error Image not found: images\/none\.png image-missing/,
  ],
  [
    'a corrupt image',
    { ...md('![坏](images/bad.png "坏图。")'), 'images/bad.png': 'this is not a PNG' },
    /01\.md:3:6 error Image is not a readable PNG, JPEG, GIF or WebP: images\/bad\.png image-corrupt/,
  ],
  [
    'an image path with ..',
    md('![逃](../x.png "逃。")'),
    /01\.md:3:6 error Path leaves the manuscript folder: \.\.\/x\.png path-escape/,
  ],
  [
    'an absolute image path',
    md('![绝](/etc/hosts "绝。")'),
    /01\.md:3:6 error Absolute path refused: \/etc\/hosts path-absolute/,
  ],
  [
    'a remote image',
    md('![远](https://example.com/a.png "远。")'),
    /01\.md:3:6 error Remote resource refused: https:\/\/example\.com\/a\.png path-remote/,
  ],
  [
    'raw <script>',
    md('<script>alert(1)</script>'),
    /01\.md:3:1 error Raw HTML refused \(tag <script> is not allowed\).* html-unsafe/,
  ],
  [
    'raw <iframe>',
    md('文字<iframe src="https://example.com"></iframe>'),
    /01\.md:3:3 error Raw HTML refused \(tag <iframe> is not allowed\).* html-unsafe/,
  ],
  [
    'an on* handler',
    md('<span onclick="alert(1)">点</span>'),
    /01\.md:3:1 error Raw HTML refused \(attribute "onclick" on <span> is not allowed\).* html-unsafe/,
  ],
  ['a javascript: URL', md('[点我](javascript:alert(1))'), /01\.md:3:6 error Link to a "javascript:" URL link-unsafe/],
  [
    'an unclosed ::: container',
    md('::: dek\n导语没有结束。'),
    /01\.md:3:1 error Container is never closed with ":::" container-unclosed/,
  ],
  [
    'a heading of 5,000 characters',
    { '01.md': `# ${'长'.repeat(5000)}\n\n正文。\n` },
    /01\.md:1:1 error Heading of 5000 characters \(the limit is 200\) heading-too-long/,
  ],
  [
    'a paragraph of 200,000 characters',
    md('字'.repeat(200_000)),
    /01\.md:3:1 error Paragraph of 200000 characters \(the limit is 20000\) paragraph-too-long/,
  ],
  [
    'an image far larger than the page',
    { ...md('![大](images/huge.png "巨图。")'), 'images/huge.png': hugePng() },
    /01\.md:3:6 error Image is 20000 × 20000 px, far larger than any page needs: images\/huge\.png image-too-large/,
  ],
];

describe('bad input: message, hint, exit 1, earlier outputs untouched', () => {
  for (const [name, files, message] of cases) {
    it(name, () => {
      const dir = manuscript(files);
      const out = previousOutputs();
      const before = out.snapshot();
      const r = folio(['build', '--manuscript', dir, '--out', out.dir]);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
      const line = r.stderr.split('\n').findIndex((l) => message.test(l));
      expect(r.stderr.split('\n')[line + 1], 'a hint follows the message').toMatch(/^ {2}hint: \S/);
      expect(r.stderr).not.toMatch(/folio: browser/); // stopped before the browser
      expect(out.snapshot()).toEqual(before);
      expect(readdirSync(out.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  }

  it('an unknown --target: exit 2', () => {
    const out = previousOutputs();
    const before = out.snapshot();
    const r = folio(['build', '--manuscript', manuscript(), '--out', out.dir, '--target', 'poster']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /option '-t, --target <name\.\.\.>' argument 'poster' is invalid\. Allowed choices are booklet, press, press-pdfx, imposed, epub/,
    );
    expect(out.snapshot()).toEqual(before);
  });

  it('an --out inside the manuscript: exit 2', () => {
    const dir = manuscript();
    const r = folio(['build', '--manuscript', dir, '--out', path.join(dir, 'dist')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /dist:0:0 error The output folder is inside the manuscript folder usage-out\n {2}hint: Choose --out outside the manuscript/,
    );
    expect(readdirSync(dir)).not.toContain('dist');
  });
});
