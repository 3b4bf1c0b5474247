import { free, type TextRule } from './types.js';

/** `“”` and `「」` in one file: the less used style is reported. */
export const quoteStyleMixed: TextRule = (ctx, report) => {
  const curly = [...ctx.text.matchAll(/[“”]/g)].filter((m) => free(ctx, m.index));
  const corner = [...ctx.text.matchAll(/[「」『』]/g)].filter((m) => free(ctx, m.index));
  if (!curly.length || !corner.length) return;
  const [minority, style, other] = corner.length <= curly.length ? [corner, '「」', '“”'] : [curly, '“”', '「」'];
  for (const m of minority)
    report({
      offset: m.index,
      severity: 'warning',
      message: `Unexpected ${style} quote "${m[0]}": the manuscript mostly uses ${other}`,
      hint: 'Use one quotation style: “ ” with ‘ ’ inside for zh-CN.',
    });
};
