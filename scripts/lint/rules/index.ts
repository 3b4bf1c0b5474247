// The rule registry, in the order the rules run (markdown-it style: [name, rule]). A rule's name is the
// rule id of what it reports unless the finding names a more precise one (container-unclosed, …).
import { bidiControl } from './bidi-control.js';
import { container } from './container.js';
import { duplicateBlock } from './duplicate-block.js';
import { ellipsisDash } from './ellipsis-dash.js';
import { figureText } from './figure-text.js';
import { footnote } from './footnote.js';
import { footnoteDuplicate } from './footnote-duplicate.js';
import { headingDuplicate } from './heading-duplicate.js';
import { headingIncrement } from './heading-increment.js';
import { htmlLiteral } from './html-literal.js';
import { linkUnsafe } from './link-unsafe.js';
import { punctuationHalfwidth } from './punctuation-halfwidth.js';
import { quoteStraight } from './quote-straight.js';
import { quoteStyleMixed } from './quote-style-mixed.js';
import { spaceHanLatin } from './space-han-latin.js';
import { traditionalCharacter } from './traditional-character.js';
import type { BookRule, TextRule } from './types.js';

export type { BookRule, Finding, TextContext, TextRule } from './types.js';

/** Rules that read one Markdown file: its text (prose masked) and its markdown-it tokens. */
export const TEXT_RULES: readonly (readonly [string, TextRule])[] = [
  ['punctuation-halfwidth', punctuationHalfwidth],
  ['ellipsis-dash', ellipsisDash],
  ['quote-straight', quoteStraight],
  ['quote-style-mixed', quoteStyleMixed],
  ['space-han-latin', spaceHanLatin],
  ['traditional-character', traditionalCharacter],
  ['link-unsafe', linkUnsafe],
  ['html-literal', htmlLiteral],
  ['bidi-control', bidiControl],
  ['container', container],
  ['footnote', footnote],
  ['footnote-duplicate', footnoteDuplicate],
];

/** Rules that need the document model (all chapters, headings, figures). */
export const BOOK_RULES: readonly (readonly [string, BookRule])[] = [
  ['heading-increment', headingIncrement],
  ['heading-duplicate', headingDuplicate],
  ['duplicate-block', duplicateBlock],
  ['figure-text', figureText],
];

/** The text rule registered as `name`. */
export function textRule(name: string): TextRule {
  const entry = TEXT_RULES.find(([n]) => n === name);
  if (!entry) throw new Error(`no lint rule ${name}`);
  return entry[1];
}
