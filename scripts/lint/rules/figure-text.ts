import { type BookRule, offsetOfLine } from './types.js';

/** A figure without alt text (screen readers, the EPUB) or without a caption. */
export const figureText: BookRule = (book, report) => {
  for (const ch of book.chapters) {
    for (const f of ch.figures) {
      const at = offsetOfLine(ch.file.text, f.source.line);
      if (!f.alt.trim())
        report({
          file: ch.file,
          offset: at,
          ruleId: 'figure-alt',
          severity: 'warning',
          message: 'Figure has no alt text',
          hint: 'Describe the picture in ![…](…): screen readers and the EPUB need it.',
        });
      if (!f.caption.trim())
        report({
          file: ch.file,
          offset: at,
          ruleId: 'figure-caption',
          severity: 'warning',
          message: 'Figure has no caption',
          hint: 'Give the image a title: ![alt](images/x.jpg "Caption.")',
        });
    }
  }
};
