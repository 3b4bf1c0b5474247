// Which rules a book's `language` calls for. The Simplified-Chinese newspaper rules (traditional characters,
// half-width punctuation) are zh-CN house style: a zh-TW or zh-HK book is written in Traditional characters
// on purpose, so those rules do not run on it (and `--fix` never converts it: OpenCC runs only when asked).

/** Rules that apply only to a Simplified-Chinese book. */
export const SIMPLIFIED_ONLY: ReadonlySet<string> = new Set(['traditional-character', 'punctuation-halfwidth']);

/**
 * Whether a BCP 47 tag names Simplified Chinese: zh, zh-CN, zh-SG, zh-MY, zh-Hans(-…); not zh-TW, zh-HK,
 * zh-MO or zh-Hant(-…). Case-insensitive, as BCP 47 tags are.
 * @example isSimplified('zh-CN') === true; isSimplified('zh-Hant-TW') === false
 */
export function isSimplified(language: string): boolean {
  const parts = language.toLowerCase().split('-');
  if (parts[0] !== 'zh') return false;
  if (parts.includes('hans')) return true;
  if (parts.includes('hant')) return false;
  return !parts.some((p) => ['tw', 'hk', 'mo'].includes(p));
}

/** Whether the rule registered as `name` runs on a book in `language`. */
export const ruleApplies = (name: string, language: string): boolean =>
  !SIMPLIFIED_ONLY.has(name) || isSimplified(language);
