import path from 'node:path';
import type { Token } from 'markdown-it';
import { judgeHref, LINK_SCHEMES, normalizeHref } from '../../markdown/link-policy.js';
import { attr } from '../../markdown/token.js';
import type { Report, TextContext, TextRule } from './types.js';

/** Link syntax markdown-it refused and printed as text: `[x](dest)`, `[x]: dest` and `<scheme:…>`. */
const LITERAL_LINKS = [/\]\(\s*<?([^)]*)/g, /^\s*\[[^\]]*\]:\s*<?(\S+?)>?(?:\s|$)/gm, /<([^<>]*:[^<>]*)>/g];

/**
 * Links whose target is refused (judged after decoding entities and percent-escapes and dropping the
 * whitespace a browser drops): a scheme other than http(s), mailto or ftp (`link-unsafe`), a path out
 * of the manuscript (`link-escape`) or any other relative path (`link-relative`). Link syntax that
 * markdown-it itself refused (`[x](jav&#x61;script:…)`, `<javascript:…>`) is printed as text: with
 * a refused target it is reported too, where the target stands.
 */
export const linkUnsafe: TextRule = (ctx, report) => {
  const root = ctx.root ?? path.dirname(ctx.file.path);
  const fromDir = path.dirname(ctx.file.path);
  for (const t of ctx.tokens) {
    if (t.type !== 'inline' || !t.map) continue;
    const at = locator(ctx, t);
    let previous = '';
    for (const c of t.children ?? []) {
      const after = previous;
      previous = c.type;
      if (c.type === 'link_open') {
        const href = attr(c, 'href') ?? '';
        const v = judgeHref(href, fromDir, root);
        if (!v.ok) report({ offset: at(`(${href}`, 1) ?? at(href) ?? at(''), severity: 'error', ...v });
      } else if (c.type === 'text') literalLinks(c, at, report, after === 'link_close');
    }
  }
};

function literalLinks(c: Token, at: Locator, report: Report, afterLink: boolean): void {
  // `[x](bad)` where [x] is also a reference: markdown-it links [x] and prints "(bad)" after it
  // (and "[x]: bad" a refused definition whose label is also defined elsewhere: ": bad" after the link)
  const patterns = afterLink ? [...LITERAL_LINKS, /^\(\s*<?([^)]*)/g, /^:\s*<?(\S+?)>?(?:\s|$)/g] : LITERAL_LINKS;
  const found = patterns.flatMap((p) => [...c.content.matchAll(p)]).sort((x, y) => x.index - y.index);
  let covered = -1;
  for (const m of found) {
    const autolink = m[0].startsWith('<');
    if (autolink && m.index < covered) continue; // `<javascript:…>` inside `[x](<javascript:…>)`: one report
    if (/^\]?\(/.test(m[0])) covered = Math.max(covered, m.index + m[0].length);
    const lead = m[0].indexOf(m[1]!);
    // where the target stands in the source: as written, else (entities) after the "](" before it
    const fallback = () => (m[0].startsWith('(') ? at('(', 1) : m[0].startsWith(':') ? at(':', 1) : at('](', 2));
    const offset = at(m[0].slice(0, lead + 1), lead) ?? (autolink ? at.autolink(m[1]!) : (fallback() ?? at('')));
    if (offset === undefined) continue; // `&lt;javascript:…&gt;`: the author wrote the characters, not a link
    const target = normalizeHref(m[1]!);
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(target)?.[1]?.toLowerCase();
    if (scheme && !LINK_SCHEMES.has(scheme)) {
      report({
        offset,
        severity: 'error',
        ruleId: 'link-unsafe',
        message: `Link to a "${scheme}:" URL`,
        hint:
          'Refused (it would print as text). Links may point to http(s) pages, mail addresses or places in the ' +
          'book (#标题 or #id) only.',
      });
    } else if (!autolink) {
      report({
        offset,
        severity: 'warning',
        ruleId: 'link-literal',
        message: `Link syntax prints as text: the target "${m[1]!.trim()}" is not a valid link destination`,
        hint: 'Remove spaces from the address or wrap it in <…>; to show brackets as text, escape them: \\[x\\].',
      });
    }
  }
}

interface Locator {
  (needle: '', shift?: number): number;
  (needle: string, shift?: number): number | undefined;
  /** Where `<target>` stands with a real "<" (entities inside it decoded); `&lt;…&gt;` is text, not found. */
  autolink(target: string): number | undefined;
}

/** Finds text in the source of an inline token, left to right; undefined when it is not there as written. */
function locator(ctx: TextContext, t: Token): Locator {
  const start = ctx.lineStarts[t.map![0]] ?? 0;
  const end = ctx.lineStarts[t.map![1]] ?? ctx.text.length;
  let cursor = start;
  const at = ((needle: string, shift = 0): number | undefined => {
    if (needle === '') return start;
    const i = ctx.text.indexOf(needle, cursor);
    if (i < 0 || i >= end) return undefined;
    cursor = i + needle.length;
    return i + shift;
  }) as Locator;
  at.autolink = (target) => {
    const want = normalizeHref(target);
    for (const m of ctx.text.slice(cursor, end).matchAll(/<([^<>]+)>/g)) {
      if (normalizeHref(m[1]!) !== want) continue;
      const i = cursor + m.index;
      cursor = i + m[0].length;
      return i + 1;
    }
    return undefined;
  };
  return at;
}
