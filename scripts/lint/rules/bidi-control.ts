import type { TextRule } from './types.js';

const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;
const NAMES: Record<string, string> = {
  '\u202a': 'LEFT-TO-RIGHT EMBEDDING',
  '\u202b': 'RIGHT-TO-LEFT EMBEDDING',
  '\u202c': 'POP DIRECTIONAL FORMATTING',
  '\u202d': 'LEFT-TO-RIGHT OVERRIDE',
  '\u202e': 'RIGHT-TO-LEFT OVERRIDE',
  '\u2066': 'LEFT-TO-RIGHT ISOLATE',
  '\u2067': 'RIGHT-TO-LEFT ISOLATE',
  '\u2068': 'FIRST STRONG ISOLATE',
  '\u2069': 'POP DIRECTIONAL ISOLATE',
};

/**
 * Invisible bidirectional controls (U+202A–U+202E, U+2066–U+2069) reorder the characters after them:
 * a U+202E in a heading prints it reversed, and in a code sample it makes the text shown differ from the
 * text read ("Trojan Source"). Zh-CN text never needs them. Fixable: `lint --fix` deletes them.
 */
export const bidiControl: TextRule = (ctx, report) => {
  for (const m of ctx.text.matchAll(BIDI)) {
    const code = m[0].codePointAt(0)!.toString(16).toUpperCase();
    report({
      offset: m.index,
      severity: 'warning',
      message: `Invisible bidirectional control U+${code} ${NAMES[m[0]]} reorders the text after it`,
      hint: 'Delete it (folio lint --fix does); Chinese and Latin text lay out right without it.',
      fix: { length: m[0].length, replacement: '' },
    });
  }
};
