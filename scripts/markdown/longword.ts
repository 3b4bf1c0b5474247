import type { MarkdownIt } from 'markdown-it';

/** The shortest run of Latin letters, digits or address characters that may break between any two. */
export const LONG_WORD_CHARS = 20;

/**
 * A run of Latin, Greek or Cyrillic letters, digits and the characters of an address or a file name (no
 * brackets, quotes or `<>`); full-width forms count as CJK and are not in it.
 */
const LONG_WORD = new RegExp(
  `[A-Za-z0-9\\u00c0-\\u024f\\u0370-\\u03ff\\u0400-\\u04ff_./:?#=&%+~@-]{${LONG_WORD_CHARS},}`,
  'gu',
);

/**
 * A long unbroken Latin word, number or address (20 characters or more) may break between any two of its
 * characters: `<span class="longword">` (word-break: break-all). Without it the browser moves the whole
 * word to the next line — the Chinese before it is then spread over a justified line — and breaks it only
 * where it is wider than the line (overflow-wrap). Shorter words keep their whole-word breaks.
 * Done when text is rendered, so the tokens the model and the lint read keep their text as written.
 * `超长单词Pneumonoultramicroscopicsilicovolcanoconiosis结束` →
 * `超长单词<span class="longword">Pneumonoultramicroscopicsilicovolcanoconiosis</span>结束`
 */
export function longwordPlugin(md: MarkdownIt): void {
  const escape = md.utils.escapeHtml;
  md.renderer.rules.text = (tokens, idx) => {
    const content = tokens[idx]!.content;
    let html = '';
    let last = 0;
    for (const m of content.matchAll(LONG_WORD)) {
      html += `${escape(content.slice(last, m.index))}<span class="longword">${escape(m[0])}</span>`;
      last = m.index + m[0].length;
    }
    return html + escape(content.slice(last));
  };
}
