// A footnote label defined twice: markdown-it-footnote keeps only the last text and drops the other without a
// word, so the book would print one note where the writer wrote two. An error at the second definition.
import { positionAt } from '../../diagnostics/diagnostic.js';
import { footnoteDefinitions } from './footnote.js';
import type { TextRule } from './types.js';

export const footnoteDuplicate: TextRule = (ctx, report) => {
  const first = new Map<string, number>();
  for (const { label, offset } of footnoteDefinitions(ctx)) {
    const earlier = first.get(label);
    if (earlier === undefined) {
      first.set(label, offset);
      continue;
    }
    const at = positionAt(ctx.text, earlier);
    report({
      offset,
      severity: 'error',
      message: `Footnote [^${label}] is defined again (first at line ${at.line}); only one of the texts would print`,
      hint: `Give this note its own label, e.g. [^${label}-2], and reference it there; or merge the two texts.`,
    });
  }
};
