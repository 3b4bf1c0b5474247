import { formatPosition, type Position } from '../../diagnostics/position.js';
import { type BookRule, offsetOfLine } from './types.js';

/** The same paragraph or caption twice in the book (newspaper extraction repeats blocks). */
export const duplicateBlock: BookRule = (book, report) => {
  const seen = new Map<string, Position>();
  for (const ch of book.chapters) {
    for (const b of ch.blocks) {
      if (b.kind === 'heading' || b.kind === 'cell') continue;
      const key = `${b.kind}:${b.text.replace(/\s+/g, '')}`;
      if (b.text.replace(/\s+/g, '').length < 8) continue;
      if (seen.has(key))
        report({
          file: ch.file,
          offset: offsetOfLine(ch.file.text, b.source.line),
          ruleId: b.kind === 'caption' ? 'duplicate-caption' : 'duplicate-paragraph',
          severity: 'warning',
          message:
            `Duplicate ${b.kind === 'caption' ? 'caption' : 'paragraph'} ` +
            `(first at ${formatPosition(seen.get(key)!)})`,
          hint: 'Newspaper extraction repeats blocks; keep one.',
        });
      else seen.set(key, b.source);
    }
  }
};
