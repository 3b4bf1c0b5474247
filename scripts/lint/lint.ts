import { type Diagnostic, FolioError, positionAt } from '../diagnostics/diagnostic.js';
import { confine, escapeMessage } from '../manuscript/confine.js';
import { loadManuscript, type Manuscript } from '../manuscript/load.js';
import { buildBook, type Book } from '../model/book.js';
import { writeAtomic } from '../output/write.js';
import type { MarkdownIt } from 'markdown-it';
import type { SourceFile } from '../manuscript/load.js';
import { createMarkdown } from '../markdown/md.js';
import { ruleApplies } from './language.js';
import { captionRanges, proseMask } from './mask.js';
import { BOOK_RULES, type Finding, type TextContext, TEXT_RULES } from './rules/index.js';

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
  const language = manuscript.config.language;
  const textRules = TEXT_RULES.filter(([name]) => ruleApplies(name, language));
  for (const file of manuscript.chapters) {
    const ctx = { ...textContext(file, manuscript.config.lint.allow, language), root: manuscript.root };
    for (const [name, rule] of textRules) rule(ctx, (f) => findings.push({ ...f, file, ruleId: f.ruleId ?? name }));
  }
  for (const [name, rule] of BOOK_RULES.filter(([n]) => ruleApplies(n, language)))
    rule(book, (f) => findings.push({ ...f, ruleId: f.ruleId ?? name }));
  findings.sort((a, b) => a.file.display.localeCompare(b.file.display) || a.offset - b.offset);
  return { findings, diagnostics: findings.map(toDiagnostic) };
}

/** More warnings than this of one rule in one file are summarised by the build (see {@link summarise}). */
export const SUMMARY_AFTER = 3;

/**
 * The build's view of lint: warnings of one rule in one file beyond {@link SUMMARY_AFTER} become one finding
 * at the first of them, with the count and the cure (`folio lint --fix` when every one is fixable); `folio lint`
 * still lists each. A writer who types spaces between Han and Latin gets one line per file, not 284.
 * @example summarise(lintBook(manuscript, book).findings)
 */
export function summarise(findings: Finding[]): Diagnostic[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = f.severity === 'warning' ? `${f.file.display}\0${f.ruleId}` : `${groups.size}\0single`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups.values()]
    .map((list) => {
      const first = toDiagnostic(list[0]!);
      if (list.length <= SUMMARY_AFTER) return list.map(toDiagnostic);
      const fixable = list.every((f) => f.fix);
      const message = `${list.length} × ${first.message} (the first here)`;
      const hint = fixable
        ? `\`folio lint --fix\` corrects all ${list.length}; \`folio lint\` lists each. ${first.hint ?? ''}`.trim()
        : `\`folio lint\` lists each of the ${list.length}. ${first.hint ?? ''}`.trim();
      return [{ ...first, message, hint }];
    })
    .flat()
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

let lintMd: MarkdownIt | undefined;

/**
 * What a text rule reads: the file's text, its prose mask (captions are prose) and its markdown-it tokens.
 * The lint parse keeps footnote definitions where they stand (no footnote_tail), so they carry their lines.
 */
export function textContext(file: SourceFile, allow: string[], language = 'zh-CN'): TextContext {
  const text = file.text;
  const mask = proseMask(text);
  for (const [a, b] of captionRanges(text)) mask.fill(0, a, b);
  lintMd ??= createMarkdown().disable('footnote_tail');
  const tokens = lintMd.parse(text, {});
  const lines = text.split('\n');
  const lineStarts: number[] = [];
  let at = 0;
  for (const line of lines) {
    lineStarts.push(at);
    at += line.length + 1;
  }
  return { file, text, mask, allow, language, tokens, lines, lineStarts };
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
        const was = f.file.text.slice(f.offset, f.offset + f.fix!.length);
        fixed.push({
          ...toDiagnostic(f),
          severity: 'info',
          message: `Fixed: "${was}" → "${f.fix!.replacement}" (${f.message})`,
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
