// Links, literal markup and bidi controls through the CLI: each refused or literal-printed construct is a
// positioned diagnostic; the build stops before the browser on an error.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folio, manuscript, previousOutputs } from './helpers/fixture.js';

const md = (body: string) => ({ '01.md': `# 第一章\n\n${body}\n` });

describe('links and literal markup: folio build stops with the position', () => {
  it.each([
    [
      'an entity-spelled javascript: link',
      '[点](jav&#x61;script:alert(1))',
      /01\.md:3:5 error Link to a "javascript:" URL link-unsafe/,
    ],
    [
      'an autolink to javascript:',
      '看<javascript:alert(1)>',
      /01\.md:3:3 error Link to a "javascript:" URL link-unsafe/,
    ],
    ['a percent-encoded scheme', '[点](%6Aavascript:x)', /01\.md:3:5 error Link to a "javascript:" URL link-unsafe/],
    [
      'a relative link out of the folder',
      '[密](../../etc/passwd)',
      /01\.md:3:5 error Link leaves the manuscript folder: \.\.\/\.\.\/etc\/passwd link-escape/,
    ],
    [
      'a relative link',
      '[注](notes.md)',
      /01\.md:3:5 error Relative link goes nowhere in the PDF or the EPUB: notes\.md link-relative/,
    ],
    [
      'malformed HTML with a handler',
      '点<span class="a"/onclick=alert(1)>这里</span>',
      /01\.md:3:2 error Raw HTML refused \(malformed.*html-unsafe/,
    ],
  ])('%s', (_name, body, message) => {
    const out = previousOutputs();
    const before = out.snapshot();
    const r = folio(['build', '--manuscript', manuscript(md(body)), '--out', out.dir]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(message);
    const lines = r.stderr.split('\n');
    expect(lines[lines.findIndex((l) => message.test(l)) + 1]).toMatch(/^ {2}hint: \S/);
    expect(r.stderr).not.toMatch(/folio: browser/);
    expect(out.snapshot()).toEqual(before);
  });
});

describe('bidi controls', () => {
  it('a U+202E in a heading is a warning at its place, and lint --fix deletes it', () => {
    const dir = manuscript({ '01.md': '# 第一\u202e章\n\n正文一段。\n' });
    const r = folio(['lint', dir]);
    expect(r.stdout + r.stderr).toMatch(
      /01\.md:1:5 warning Invisible bidirectional control U\+202E RIGHT-TO-LEFT OVERRIDE reorders the text after it bidi-control/,
    );
    const fixed = folio(['lint', dir, '--fix']);
    expect(fixed.status, fixed.stderr).toBe(0);
    expect(readFileSync(path.join(dir, '01.md'), 'utf8')).toBe('# 第一章\n\n正文一段。\n');
  });
});
