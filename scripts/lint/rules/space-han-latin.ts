import { free, type TextRule } from './types.js';

const SPACE = /(?<=\p{Script=Han})[ \t]+(?=[A-Za-z0-9])|(?<=[A-Za-z0-9%])[ \t]+(?=\p{Script=Han})/gu;

/** Typed spaces between Han and Latin or digits (the stylesheet spaces them: text-autospace). */
export const spaceHanLatin: TextRule = (ctx, report) => {
  for (const m of ctx.text.matchAll(SPACE)) {
    if (!free(ctx, m.index, m[0].length)) continue;
    const line = ctx.text.lastIndexOf('\n', m.index) + 1;
    // heading and container words are separated on purpose
    if (/^(#{1,6}|:::)\s/.test(ctx.text.slice(line, m.index))) continue;
    report({
      offset: m.index,
      severity: 'warning',
      message: 'Unexpected space between Han and Latin/digits',
      hint:
        'Do not type these spaces: the stylesheet spaces Han and Latin (text-autospace). ' +
        '`folio lint --fix` removes them.',
      fix: { length: m[0].length, replacement: '' },
    });
  }
};
