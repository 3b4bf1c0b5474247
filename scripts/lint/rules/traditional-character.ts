import * as OpenCC from 'opencc-js';
import { free, type TextRule } from './types.js';

let opencc: ((s: string) => string) | undefined;
const converter = () => (opencc ??= OpenCC.Converter({ from: 't', to: 'cn' }));

/** Traditional characters in a Simplified (zh-CN) manuscript: opencc-js (t → cn), minus `lint.allow` words. */
export const traditionalCharacter: TextRule = (ctx, report) => {
  const t = ctx.text;
  const allowed = new Uint8Array(t.length);
  for (const word of ctx.allow)
    for (let i = t.indexOf(word); i >= 0; i = t.indexOf(word, i + 1)) allowed.fill(1, i, i + word.length);
  const out = converter()(t);
  if (out.length !== t.length) return; // phrase-level changes: nothing to point at character by character
  for (let i = 0; i < t.length; i++) {
    if (t[i] === out[i] || !free(ctx, i) || allowed[i]) continue;
    report({
      offset: i,
      severity: 'warning',
      message: `Unexpected traditional character "${t[i]}" in a Simplified (zh-CN) manuscript, expected "${out[i]}"`,
      hint: 'If it is part of a name, add the word to lint.allow in book.yaml; `folio lint --fix` converts it.',
      fix: { length: 1, replacement: out[i]! },
    });
  }
};
