// The docs a newcomer follows: every relative link and anchor in README.md and docs/ resolves inside
// the repository, every repository path they name in code exists, and nothing points outside it.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve('.');
const DOCS = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const md = new MarkdownIt({ html: true });

type Token = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number];
const walk = (tokens: Token[]): Token[] => tokens.flatMap((t) => [t, ...walk(t.children ?? [])]);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -1, -2 for repeats. */
function anchors(file: string): Set<string> {
  const tokens = md.parse(readFileSync(file, 'utf8'), {});
  const seen = new Map<string, number>();
  const out = new Set<string>();
  tokens.forEach((t, i) => {
    if (t.type !== 'heading_open') return;
    const text = walk([tokens[i + 1]!])
      .filter((c) => c.type === 'text' || c.type === 'code_inline')
      .map((c) => c.content)
      .join('');
    const base = text
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  });
  return out;
}

function links(file: string): string[] {
  return walk(md.parse(readFileSync(file, 'utf8'), {}))
    .filter((t) => t.type === 'link_open' || t.type === 'image')
    .map((t) => String(t.attrGet('href') ?? t.attrGet('src') ?? ''));
}

/**
 * What is wrong with the relative links of one Markdown file: a file that is missing or outside the repository,
 * an anchor no heading has.
 */
function linkProblems(doc: string): string[] {
  const problems: string[] = [];
  for (const href of links(doc)) {
    if (/^(https?|mailto):/i.test(href)) continue;
    const [target = '', anchor] = href.split('#');
    const file = target ? path.resolve(path.dirname(doc), decodeURIComponent(target)) : path.resolve(doc);
    if (path.relative(ROOT, file).startsWith('..')) problems.push(`${href} leaves the repository`);
    else if (!existsSync(file)) problems.push(`${href}: no such file`);
    else if (anchor && !(file.endsWith('.md') && statSync(file).isFile()))
      problems.push(`${href}: anchor into a non-Markdown file`);
    else if (anchor && !anchors(file).has(decodeURIComponent(anchor))) problems.push(`${href}: no heading #${anchor}`);
  }
  return problems;
}

describe('the link checker', () => {
  it('finds a missing file, a missing anchor and a link out of the repository, and passes a good one', () => {
    mkdirSync('tmp', { recursive: true });
    const doc = 'tmp/links-selftest.md';
    writeFileSync(
      doc,
      '[a](../docs/cli.md#output-names) [b](../docs/nope.md) [c](../docs/cli.md#no-such-heading) [d](../../x.md)\n',
    );
    expect(linkProblems(doc)).toEqual([
      '../docs/nope.md: no such file',
      '../docs/cli.md#no-such-heading: no heading #no-such-heading',
      '../../x.md leaves the repository',
    ]);
  });
});

describe.each(DOCS)('%s', (doc) => {
  it('has links that resolve inside the repository, anchors included', () => {
    expect(linkProblems(doc)).toEqual([]);
  });

  it('names only repository paths that exist, and nothing outside the repository', () => {
    const text = readFileSync(doc, 'utf8');
    expect(text).not.toMatch(/\bshared\/|\/work\//);
    const named = walk(md.parse(text, {}))
      .filter((t) => t.type === 'code_inline')
      .map((t) => t.content)
      .filter((c) => /^(scripts|templates|tests|docs|schema|bin|manuscript)\/[\w./-]*$/.test(c));
    for (const p of named) expect(existsSync(p), `${doc} names ${p}`).toBe(true);
  });
});

describe('README', () => {
  it('is a newcomer page: under 200 lines, the two quick-start commands as they are', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme.split('\n').length).toBeLessThan(200);
    expect(readme).toContain('bash scripts/setup.sh && npm run build\nnpm test\n');
    for (const doc of DOCS.slice(1)) expect(readme, `README links ${doc}`).toContain(`](${doc})`);
  });
});
