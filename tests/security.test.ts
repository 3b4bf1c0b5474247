// Unsafe HTML never reaches an output: random and hostile Markdown through the Markdown-to-HTML stage.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMarkdown } from '../scripts/markdown/md.js';

const HOSTILE = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '<iframe src="javascript:alert(1)">',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](  javascript:alert(1))',
  '![x](javascript:alert(1))',
  '<a href="javascript:alert(1)">x</a>',
  '<span onclick="x()">x</span>',
  '<span style="x:expression(1)">',
  '<div onmouseover=alert(1)>',
  '<object data=x>',
  '<embed src=x>',
  '<math><mtext><script>x</script>',
  '<!--<script>x</script>-->',
  '<sup onclick=1>2</sup>',
  '[x](vbscript:msgbox)',
  '[x](data:text/html,<script>x</script>)',
  '<<script>script>',
  '<scr<script>ipt>',
  '::: dek',
  ':::',
  '{onclick=alert(1)}',
  '# h {onclick=x}',
  '![a](b.png){onerror=alert(1)}',
  '`<script>`',
  '```\n<script>\n```',
  '[^1]',
  '[^1]: <script>x</script>',
  '| <script> | x |\n| --- | --- |',
  '<style>@import url(//x)</style>',
  '<base href=//x>',
  '<meta http-equiv=refresh content=0;url=//x>',
  '<form action=//x>',
  '<link rel=stylesheet href=//x>',
  '&lt;script&gt;',
  '\u0000',
  '“中文”**强调**',
];

/** Every opening tag in the HTML, with its attributes. */
function tags(html: string): { name: string; attrs: [string, string][] }[] {
  return [
    ...html.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g),
  ].map((m) => ({
    name: m[1]!.toLowerCase(),
    attrs: [...m[2]!.matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)].map((a) => [
      a[1]!.toLowerCase(),
      (a[2] ?? a[3] ?? a[4] ?? '').toLowerCase(),
    ]),
  }));
}

const md = createMarkdown();

describe('Markdown to HTML under fuzzing', () => {
  it('never throws and never emits script, event handlers, javascript: URLs or active elements', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string(),
            fc.constantFrom(...HOSTILE),
            fc.constantFrom('\n', '\n\n', ' ', '<', '>', '"', '=', '[', ']', '(', ')', ':', '!'),
          ),
          { maxLength: 40 },
        ),
        (parts) => {
          const html = md.render(parts.join(''));
          for (const t of tags(html)) {
            expect([
              'script',
              'iframe',
              'object',
              'embed',
              'svg',
              'math',
              'style',
              'link',
              'meta',
              'base',
              'form',
            ]).not.toContain(t.name);
            for (const [k, v] of t.attrs) {
              expect(k.startsWith('on'), `${t.name} ${k}`).toBe(false);
              expect(k).not.toBe('style');
              if (k === 'href' || k === 'src')
                // eslint-disable-next-line no-control-regex -- strips what a browser strips
                expect(v.replace(/[\s\u0000-\u001f]/g, '')).not.toMatch(/^(javascript|vbscript|data:text\/html)/);
            }
          }
        },
      ),
      { numRuns: 1500, seed: 20261129 },
    );
  });

  it('keeps the hostile samples as visible text, not markup', () => {
    const html = md.render(HOSTILE.join('\n\n'));
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script/i);
  });
});
