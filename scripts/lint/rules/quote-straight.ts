import { free, type TextRule } from './types.js';

/** `"…"` around Chinese text, where `“…”` belongs. */
export const quoteStraight: TextRule = (ctx, report) => {
  for (const m of ctx.text.matchAll(/"([^"\n]*\p{Script=Han}[^"\n]*)"/gu)) {
    if (!free(ctx, m.index, m[0].length)) continue;
    report({
      offset: m.index,
      severity: 'warning',
      message: 'Unexpected straight quotes around Chinese text, expected “…”',
      hint: 'Use “ ” (and ‘ ’ inside). `folio lint --fix` replaces them.',
      fix: { length: m[0].length, replacement: `“${m[1]}”` },
    });
  }
};
