// What a lint rule sees and reports. Text rules read one Markdown file (its text, prose mask and markdown-it
// tokens with their line `map`); book rules read the document model of the whole book.
import type { Token } from 'markdown-it';
import type { Severity } from '../../diagnostics/diagnostic.js';
import type { SourceFile } from '../../manuscript/load.js';
import type { Book } from '../../model/book.js';

/** One finding in a source file; offsets are UTF-16 positions in the file's text. */
export interface Finding {
  file: SourceFile;
  offset: number;
  severity: Severity;
  ruleId: string;
  message: string;
  hint: string;
  fix?: { length: number; replacement: string };
}

export interface TextContext {
  file: SourceFile;
  text: string;
  /** 1 where the text is not prose (code, URLs, markup). */
  mask: Uint8Array;
  allow: string[];
  /** The book's language (BCP 47, book.yaml `language`): what a hint recommends and `--fix` writes. */
  language: string;
  /** The manuscript folder (relative links must not climb out of it); the chapter's folder if unknown. */
  root?: string;
  /** markdown-it's block tokens of the file (footnote definitions left in place, with their labels). */
  tokens: Token[];
  /** The file's lines (0-based, as in a token's `map`) and where each starts in `text`. */
  lines: string[];
  lineStarts: number[];
}

/** What a rule reports; `ruleId` defaults to the rule's name in the registry. */
export type Report<F = Omit<Finding, 'file' | 'ruleId'>> = (f: F & { ruleId?: string }) => void;

export type TextRule = (ctx: TextContext, report: Report) => void;
export type BookRule = (book: Book, report: Report<Omit<Finding, 'ruleId'>>) => void;

const HAN = /[\p{Script=Han}\u3000-\u303f\uff01-\uff5e“”‘’]/u;

/** A Han character or a CJK / full-width mark. */
export const isHan = (c: string | undefined): boolean => !!c && HAN.test(c);

/** Whether `len` characters at `at` are all prose (not masked). */
export const free = (ctx: TextContext, at: number, len = 1): boolean =>
  !ctx.mask.subarray(at, at + len).some((v) => v === 1);

/** The offset of the start of 1-based line `line` in `text`. */
export function offsetOfLine(text: string, line: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) at = text.indexOf('\n', at) + 1;
  return at;
}
