import { type BookRule, offsetOfLine } from './types.js';

/** A heading more than one level below the one before it (# then ###). */
export const headingIncrement: BookRule = (book, report) => {
  for (const ch of book.chapters) {
    let prev = 0;
    for (const h of ch.headings) {
      if (prev && h.level > prev + 1)
        report({
          file: ch.file,
          offset: offsetOfLine(ch.file.text, h.source.line),
          severity: 'warning',
          message: `Unexpected heading rank ${h.level}, expected ${prev + 1}`,
          hint:
            `Change "${'#'.repeat(h.level)}" to "${'#'.repeat(prev + 1)}", ` +
            `or add a level-${prev + 1} heading above.`,
        });
      prev = h.level;
    }
  }
};
