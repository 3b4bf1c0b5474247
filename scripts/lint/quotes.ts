// Quotation marks as a book in its language sets them, for what lint says and what `--fix` writes: “ ” with
// ‘ ’ inside in Simplified Chinese (GB/T 15834), 「 」 with 『 』 inside in Traditional Chinese (zh-TW, zh-HK,
// zh-MO, zh-Hant: the convention of books printed there). Other languages have no convention here.
import { isSimplified } from './language.js';

export interface QuoteStyle {
  outer: [open: string, close: string];
  inner: [open: string, close: string];
}

const HANS: QuoteStyle = { outer: ['“', '”'], inner: ['‘', '’'] };
const HANT: QuoteStyle = { outer: ['「', '」'], inner: ['『', '』'] };

/**
 * The quotation marks of a BCP 47 language, or undefined outside Chinese.
 * @example quoteStyle('zh-TW')?.outer // ['「', '」']
 */
export function quoteStyle(language: string): QuoteStyle | undefined {
  if (isSimplified(language)) return HANS;
  return language.toLowerCase().split('-')[0] === 'zh' ? HANT : undefined;
}
