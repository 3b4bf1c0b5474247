import { quoteStyle } from '../quotes.js';
import { free, type TextRule } from './types.js';

/**
 * `"…"` around Chinese text, where the book's own quotation marks belong: `“…”` in Simplified Chinese,
 * `「…」` in Traditional (and `“…”` in a book of another language quoting Chinese).
 */
export const quoteStraight: TextRule = (ctx, report) => {
  const { outer, inner } = quoteStyle(ctx.language) ?? quoteStyle('zh-CN')!;
  for (const m of ctx.text.matchAll(/"([^"\n]*\p{Script=Han}[^"\n]*)"/gu)) {
    if (!free(ctx, m.index, m[0].length)) continue;
    report({
      offset: m.index,
      severity: 'warning',
      message: `Unexpected straight quotes around Chinese text, expected ${outer[0]}…${outer[1]}`,
      hint: `Use ${outer.join(' ')} (and ${inner.join(' ')} inside). \`folio lint --fix\` replaces them.`,
      fix: { length: m[0].length, replacement: `${outer[0]}${m[1]}${outer[1]}` },
    });
  }
};
