// Footnote references and definitions, read from markdown-it-footnote's tokens: a definition is a
// footnote_reference_open token (the lint parse keeps them in place), a reference to a defined label a
// footnote_ref token; a reference to an undefined label stays text. Labels in code are never read.
// A table cell's inline token has no `map` of its own: it takes the line of the row around it.
import type { Token } from 'markdown-it';
import type { TextContext, TextRule } from './types.js';

export const footnote: TextRule = (ctx, report) => {
  const defs = new Map(footnoteDefinitions(ctx).map((d) => [d.label, d.offset] as const));
  const { refs, undefinedRefs } = references(ctx);
  for (const [label, at] of undefinedRefs)
    report({
      offset: at,
      ruleId: 'footnote-undefined',
      severity: 'error',
      message: `Footnote [^${label}] has no definition`,
      hint: `Add a line "[^${label}]: …" below the paragraph.`,
    });
  for (const [label, at] of defs)
    if (!refs.has(label))
      report({
        offset: at,
        ruleId: 'footnote-unused',
        severity: 'warning',
        message: `Footnote [^${label}] is defined but never referenced`,
        hint: `Reference it in the text with [^${label}], or remove it.`,
      });
};

/** Label → offset of its first reference (footnote_ref tokens), and of undefined labels left as text. */
function references(ctx: TextContext): { refs: Map<string, number>; undefinedRefs: Map<string, number> } {
  const refs = new Map<string, number>();
  const undefinedRefs = new Map<string, number>();
  let line = 0;
  for (const t of ctx.tokens) {
    if (t.map) line = t.map[0];
    if (t.type !== 'inline') continue;
    for (const c of t.children ?? []) {
      if (c.type === 'footnote_ref' && typeof c.meta?.label === 'string') {
        const label = c.meta.label as string;
        if (!refs.has(label)) refs.set(label, find(ctx, `[^${label}]`, line));
      } else if (c.type === 'text') {
        for (const m of c.content.matchAll(/\[\^([^\]\s]+)\](?!:)/g))
          if (!undefinedRefs.has(m[1]!)) undefinedRefs.set(m[1]!, find(ctx, m[0], line));
      }
    }
  }
  return { refs, undefinedRefs };
}

/** Every definition in source order (a label may come twice): the first block inside it carries the line. */
export function footnoteDefinitions(ctx: TextContext): { label: string; offset: number }[] {
  const defs: { label: string; offset: number }[] = [];
  const tokens: Token[] = ctx.tokens;
  for (const [i, t] of tokens.entries()) {
    if (t.type !== 'footnote_reference_open') continue;
    const label = (t.meta as { label: string }).label;
    const line = tokens.slice(i + 1).find((x) => x.map)?.map?.[0] ?? 0;
    defs.push({ label, offset: find(ctx, `[^${label}]:`, line) });
  }
  return defs;
}

/** The offset of `needle` at or after 0-based line `line` (the token's first line), else its first anywhere. */
function find(ctx: TextContext, needle: string, line: number): number {
  const at = ctx.text.indexOf(needle, ctx.lineStarts[line] ?? 0);
  return at >= 0 ? at : Math.max(0, ctx.text.indexOf(needle));
}
