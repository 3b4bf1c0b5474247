import { free, isHan, type TextRule } from './types.js';

const WRONG: [RegExp, string, string][] = [
  [/\.{3,}|。{3,}/g, '……', 'an ellipsis of dots'],
  [/(?<!…)…(?!…)/g, '……', 'a single "…"'],
  [/(?<![-—])-{2,3}(?![-—])/g, '——', 'hyphens'],
  [/(?<!—)—(?!—)/g, '——', 'a single "—"'],
];

/** `...` `…` `--` `—` next to Chinese text, where the two-em `……` and `——` belong. */
export const ellipsisDash: TextRule = (ctx, report) => {
  const t = ctx.text;
  for (const [re, want, what] of WRONG) {
    for (const m of t.matchAll(re)) {
      const i = m.index;
      if (!free(ctx, i, m[0].length)) continue;
      if (!isHan(t[i - 1]) && !isHan(t[i + m[0].length])) continue;
      report({
        offset: i,
        severity: 'warning',
        message: `Unexpected ${what} "${m[0]}", expected "${want}"`,
        hint: 'Chinese uses the two-em "……" and "——" (GB/T 15834). `folio lint --fix` replaces it.',
        fix: { length: m[0].length, replacement: want },
      });
    }
  }
};
