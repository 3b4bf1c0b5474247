import type { TextRule } from './types.js';

/** Something that looks like an HTML tag. */
const TAG_LIKE = /<\/?[a-z][a-z0-9-]*(?=[\s/>])(?:[\s/][^<>]*)?>?/gi;
const ACTIVE = /\bon[a-z]+\s*=|javascript:|^<\/?(?:script|iframe|object|embed|style|svg|math|form|base|meta|link)\b/i;

/**
 * Markup that markdown-it did not take for HTML (`<span class="a"/onclick=…>`: no space before the
 * attribute) is printed as text. Never silently: with a handler, `javascript:` or an active element in
 * it, it is an error (`html-unsafe`); otherwise a warning that it prints as written (`html-literal`).
 * Characters the author wrote as entities (`&lt;span&gt;`) are meant to print and are not reported.
 */
export const htmlLiteral: TextRule = (ctx, report) => {
  for (const t of ctx.tokens) {
    if (t.type !== 'inline' || !t.map) continue;
    const start = ctx.lineStarts[t.map[0]] ?? 0;
    const end = ctx.lineStarts[t.map[1]] ?? ctx.text.length;
    let cursor = start;
    for (const c of t.children ?? []) {
      if (c.type !== 'text') continue;
      for (const m of c.content.matchAll(TAG_LIKE)) {
        const at = ctx.text.indexOf(m[0], cursor);
        if (at < 0 || at >= end) continue; // written with entities: meant as text
        cursor = at + m[0].length;
        const shown = m[0].length > 60 ? `${m[0].slice(0, 57)}…` : m[0];
        if (ACTIVE.test(m[0]))
          report({
            offset: at,
            severity: 'error',
            ruleId: 'html-unsafe',
            message: `Raw HTML refused (malformed, with a script or handler; it would print as text): ${shown}`,
            hint: 'Remove it: raw HTML may be a few inline tags (sup, sub, span, ruby, …) without handlers.',
          });
        else
          report({
            offset: at,
            severity: 'warning',
            message: `Malformed HTML prints as text: ${shown}`,
            hint: 'Write the tag as <span class="x">…</span> (a space before each attribute), or &lt; to show "<".',
          });
      }
    }
  }
};
