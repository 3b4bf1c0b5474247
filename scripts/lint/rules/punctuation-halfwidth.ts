import { free, isHan, type TextRule } from './types.js';

const FULL: Record<string, string> = { ',': '，', ':': '：', ';': '；', '?': '？', '!': '！', '(': '（', ')': '）' };

/** `, : ; ? ! ( )` in Chinese text: a Han character or full-width mark beside it (not "10:30", "a, b", URLs). */
export const punctuationHalfwidth: TextRule = (ctx, report) => {
  const t = ctx.text;
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (!(c in FULL) || !free(ctx, i)) continue;
    const prev = t[i - 1];
    const next = t[i + 1];
    const chinese =
      c === '('
        ? isHan(next) || isHan(prev)
        : c === ')'
          ? isHan(prev) || isHan(next)
          : isHan(prev) || (isHan(next) && !/[\w]/.test(prev ?? ''));
    if (!chinese) continue;
    report({
      offset: i,
      severity: 'warning',
      message: `Unexpected half-width "${c}" in Chinese text, expected "${FULL[c]}"`,
      hint: 'Chinese text uses full-width punctuation (GB/T 15834). `folio lint --fix` converts it.',
      fix: { length: 1, replacement: FULL[c]! },
    });
  }
};
