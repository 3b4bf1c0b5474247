import { type Diagnostic, positionAt } from '../diagnostics/diagnostic.js';
import type { Usage } from './usage.js';

/**
 * A `font-missing-glyph` error for every character no bundled face draws (emoji, CJK Extension B, a rare
 * symbol), at its first use in the manuscript: Chromium would otherwise draw it with whatever system font
 * has it (or a blank box), and the PDF would carry a font the book never chose.
 * @example glyphDiagnostics(usage, [{ display: '01.md', text: '加油😀' }])[0].column // 3
 */
export function glyphDiagnostics(usage: Usage, sources: { display: string; text: string }[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [ch, context] of usage.missing) {
    const cp = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    const src = sources.find((s) => s.text.includes(ch));
    const pos = src ? positionAt(src.text, src.text.indexOf(ch)) : { line: 0, column: 0 };
    out.push({
      file: src?.display ?? 'templates',
      line: pos.line,
      column: pos.column,
      severity: 'error',
      message: `No bundled font has a glyph for "${ch}" (${cp}) in “${context}”`,
      ruleId: 'font-missing-glyph',
      hint:
        'Folio embeds Noto Serif SC, Noto Sans SC and JetBrains Mono only: replace the character ' +
        '(an emoji with words, a rare character with a common variant) or describe it in an image.',
    });
  }
  return out;
}
