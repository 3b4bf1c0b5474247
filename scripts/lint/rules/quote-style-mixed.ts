import { quoteStyle } from '../quotes.js';
import { free, type TextRule } from './types.js';

/** `“”` and `「」` in one file: the less used style is reported; the hint names the book's own style. */
export const quoteStyleMixed: TextRule = (ctx, report) => {
  const curly = [...ctx.text.matchAll(/[“”]/g)].filter((m) => free(ctx, m.index));
  const corner = [...ctx.text.matchAll(/[「」『』]/g)].filter((m) => free(ctx, m.index));
  if (!curly.length || !corner.length) return;
  const [minority, style, other] = corner.length <= curly.length ? [corner, '「」', '“”'] : [curly, '“”', '「」'];
  const own = quoteStyle(ctx.language);
  const hint = own
    ? `Use one quotation style: ${own.outer.join(' ')} with ${own.inner.join(' ')} inside, as ${ctx.language} books ` +
      'set them (book.yaml language).'
    : 'Use one quotation style throughout the manuscript.';
  for (const m of minority)
    report({
      offset: m.index,
      severity: 'warning',
      message: `Unexpected ${style} quote "${m[0]}": the manuscript mostly uses ${other}`,
      hint,
    });
};
