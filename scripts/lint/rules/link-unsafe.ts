import type { TextRule } from './types.js';

/** Links to `javascript:`, `vbscript:`, `data:` or `file:` URLs. */
export const linkUnsafe: TextRule = (ctx, report) => {
  for (const m of ctx.text.matchAll(/\]\(\s*<?\s*(javascript|vbscript|data|file):/gi)) {
    report({
      offset: m.index + 2,
      severity: 'error',
      message: `Link to a "${m[1]!.toLowerCase()}:" URL`,
      hint: 'Links may point to http(s) pages, mail addresses or places in the book only.',
    });
  }
};
