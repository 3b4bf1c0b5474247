import { formatPosition, type Position } from '../../diagnostics/position.js';
import { type BookRule, offsetOfLine } from './types.js';

/** Two chapters with one title: the contents and running heads need them apart. */
export const headingDuplicate: BookRule = (book, report) => {
  const seen = new Map<string, Position>();
  for (const ch of book.chapters) {
    const h = ch.headings.find((x) => x.level === 1);
    if (!h) continue;
    if (seen.has(h.text))
      report({
        file: ch.file,
        offset: offsetOfLine(ch.file.text, h.source.line),
        severity: 'warning',
        message: `Two chapters have the title "${h.text}" (also ${formatPosition(seen.get(h.text)!)})`,
        hint: 'Give each chapter its own title: the contents and running heads need them.',
      });
    else seen.set(h.text, h.source);
  }
};
