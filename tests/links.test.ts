// Link targets are judged as a browser reads them; every refused or literal-printed link is reported.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textContext } from '../scripts/lint/lint.js';
import { textRule } from '../scripts/lint/rules/index.js';
import { judgeHref, normalizeHref } from '../scripts/markdown/link-policy.js';
import { createMarkdown } from '../scripts/markdown/md.js';

const root = '/book';
const judge = (href: string) => {
  const v = judgeHref(href, root, root);
  return v.ok ? v.kind : v.ruleId;
};

describe('judgeHref', () => {
  it.each([
    ['https://example.com/a', 'external'],
    ['mailto:a@b.cn', 'external'],
    ['#标题', 'internal'],
    ['javascript:alert(1)', 'link-unsafe'],
    ['jav&#x61;script:alert(1)', 'link-unsafe'],
    ['&#106;avascript:x', 'link-unsafe'],
    ['javascript&colon;x', 'link-unsafe'],
    ['%6Aavascript:x', 'link-unsafe'],
    ['%256Aavascript:x', 'link-unsafe'],
    [' \tJAVA\nSCRIPT:x', 'link-unsafe'],
    ['\u0001javascript:x', 'link-unsafe'],
    ['vbscript:x', 'link-unsafe'],
    ['data:text/html,x', 'link-unsafe'],
    ['data:image/png;base64,x', 'link-unsafe'],
    ['file:///etc/passwd', 'link-unsafe'],
    ['//evil.example/x', 'link-unsafe'],
    ['\\\\evil.example\\x', 'link-escape'], // markdown's \\ is one backslash: the path /evil.example/x
    ['../../etc/passwd', 'link-escape'],
    ['%2e%2e/%2e%2e/etc/passwd', 'link-escape'],
    ['/etc/passwd', 'link-escape'],
    ['notes.md', 'link-relative'],
    ['images/a.png#x', 'link-relative'],
  ])('%j → %s', (href, expected) => {
    expect(judge(href)).toBe(expected);
  });

  it('normalises as a browser does before the scheme is read', () => {
    expect(normalizeHref(' jav&#x61;scr\tipt:x')).toBe('javascript:x');
  });
});

// Pieces of link targets: schemes, spelled in the ways that dodge a naive check.
const SCHEMES = ['javascript', 'vbscript', 'data', 'file', 'https', 'mailto', 'blob', 'ftp'];
const spell = fc.tuple(fc.constantFrom(...SCHEMES), fc.nat(), fc.nat()).map(([s, a, b]) => {
  const i = a % s.length;
  const forms = [
    s,
    s.toUpperCase(),
    `${s.slice(0, i)}&#x${s.charCodeAt(i).toString(16)};${s.slice(i + 1)}`,
    `${s.slice(0, i)}&#${s.charCodeAt(i)};${s.slice(i + 1)}`,
    `${s.slice(0, i)}%${s.charCodeAt(i).toString(16)}${s.slice(i + 1)}`,
    `${s.slice(0, i)}\t${s.slice(i)}`,
    ` ${s}`,
  ];
  return `${forms[b % forms.length]}${b % 3 === 0 ? '&colon;' : ':'}`;
});
const target = fc.oneof(
  fc.tuple(spell, fc.constantFrom('alert(1)', '//x.cn/a', 'a@b.cn', 'text/html,x')).map(([s, r]) => s + r),
  fc.constantFrom('#top', '#标题', '../../etc/passwd', 'notes.md', '//evil.example', '%2e%2e/x', ''),
);
const link = fc
  .tuple(target, fc.nat())
  .map(([t, k]) => [`[链接](${t})`, `[链接](<${t}>)`, `<${t}>`, `[链接]\n\n[链接]: ${t}`][k % 4]!);

const md = createMarkdown();
const rule = textRule('link-unsafe');

describe('links under fuzzing', () => {
  it('every href that reaches the HTML with a refused target, and every refused literal link, is an error', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(link, fc.constantFrom('正文。', '\n\n', ' ', '# 标题 {#top}\n\n')), { maxLength: 8 }),
        (parts) => {
          const text = `# 标题 {#top}\n\n${parts.join('')}\n`;
          const file = { path: '/book/01.md', display: '01.md', text };
          const found: { ruleId?: string; severity: string; offset: number }[] = [];
          rule({ ...textContext(file, []), root }, (f) => found.push(f));
          const errors = found.filter((f) => f.severity === 'error');
          for (const f of found) expect(f.offset).toBeGreaterThanOrEqual(0);
          const html = md.render(text);
          for (const m of html.matchAll(/<a href="([^"]*)"/g)) {
            const href = m[1]!.replace(/&amp;/g, '&');
            const v = judgeHref(href, root, root);
            if (!v.ok)
              expect(
                errors.map((e) => e.ruleId),
                `${href} in ${text}`,
              ).toContain(v.ruleId);
          }
          const unsafeText = /\b(?:javascript|vbscript|data|file|blob):/i.test(html.replace(/<[^>]*>/g, ''));
          if (unsafeText && /javascript|vbscript|data|file|blob/i.test(normalizeHref(text)))
            expect(errors.length, text).toBeGreaterThan(0);
        },
      ),
      { numRuns: 1000, seed: 20261201 },
    );
  });
});
