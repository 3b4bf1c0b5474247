import { type Diagnostic, FolioError, positionAt } from '../diagnostics/diagnostic.js';
import { confine, escapeMessage } from '../manuscript/confine.js';
import { loadManuscript, type Manuscript } from '../manuscript/load.js';
import { buildBook, type Book } from '../model/book.js';
import { writeAtomic } from '../output/write.js';
import { captionRanges, proseMask } from './mask.js';
import { BOOK_RULES, type Finding, TEXT_RULES } from './rules.js';

export interface LintResult {
  diagnostics: Diagnostic[];
  findings: Finding[];
}

/**
 * Runs every rule on a loaded manuscript and its model. The build calls this before the browser.
 * @example const { diagnostics } = lintBook(manuscript, book);
 */
export function lintBook(manuscript: Manuscript, book: Book): LintResult {
  const findings: Finding[] = [];
  for (const file of manuscript.chapters) {
    const mask = proseMask(file.text);
    for (const [a, b] of captionRanges(file.text)) mask.fill(0, a, b);
    const ctx = { file, text: file.text, mask, allow: manuscript.config.lint.allow };
    for (const rule of TEXT_RULES) rule.check(ctx, (f) => findings.push({ ...f, file, ruleId: f.ruleId ?? rule.id }));
  }
  for (const rule of BOOK_RULES) rule.check(book, (f) => findings.push({ ...f, ruleId: f.ruleId ?? rule.id }));
  findings.sort((a, b) => a.file.display.localeCompare(b.file.display) || a.offset - b.offset);
  return { findings, diagnostics: findings.map(toDiagnostic) };
}

export function toDiagnostic(f: Finding): Diagnostic {
  const { line, column } = positionAt(f.file.text, f.offset);
  return {
    file: f.file.display,
    line,
    column,
    severity: f.severity,
    message: f.message,
    ruleId: f.ruleId,
    hint: f.hint,
  };
}

/**
 * `folio lint`: config and model problems (the build's own checks) plus every lint rule.
 * With `fix`, rewrites the fixable findings (atomically, file by file) and returns what changed.
 */
export async function lintManuscript(
  dir: string,
  opts: { fix?: boolean } = {},
): Promise<{ diagnostics: Diagnostic[]; fixed: Diagnostic[] }> {
  let manuscript: Manuscript;
  try {
    manuscript = await loadManuscript(dir);
  } catch (e) {
    if (e instanceof FolioError) return { diagnostics: e.diagnostics, fixed: [] };
    throw e;
  }
  const book = buildBook(manuscript);
  const lint = lintBook(manuscript, book);
  const fixed: Diagnostic[] = [];
  if (opts.fix) {
    const byFile = new Map<string, Finding[]>();
    for (const f of lint.findings) if (f.fix) byFile.set(f.file.path, [...(byFile.get(f.file.path) ?? []), f]);
    for (const [file, list] of byFile) {
      let text = list[0]!.file.text;
      // apply from the end so earlier offsets stay valid; skip overlapping fixes
      let limit = Infinity;
      for (const f of [...list].sort((a, b) => b.offset - a.offset)) {
        if (f.offset + f.fix!.length > limit) continue;
        text = text.slice(0, f.offset) + f.fix!.replacement + text.slice(f.offset + f.fix!.length);
        limit = f.offset;
        const d = toDiagnostic(f);
        fixed.push({
          ...d,
          severity: 'info',
          message: `Fixed: "${f.file.text.slice(f.offset, f.offset + f.fix!.length)}" → "${f.fix!.replacement}" (${f.message})`,
        });
      }
      // write the file the chapter really is (a symlink inside the folder stays a symlink)
      const real = confine(manuscript.root, file, { write: true });
      if (!real.ok)
        throw new FolioError([
          {
            ...toDiagnostic(list[0]!),
            line: 1,
            column: 1,
            severity: 'error',
            ...escapeMessage('Chapter', real, manuscript.root),
          },
        ]);
      await writeAtomic(real.path, text);
    }
    fixed.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
    const remaining = lint.findings.filter((f) => !f.fix).map(toDiagnostic);
    return { diagnostics: [...manuscript.diagnostics.diagnostics, ...remaining], fixed };
  }
  return { diagnostics: [...manuscript.diagnostics.diagnostics, ...lint.diagnostics], fixed };
}
