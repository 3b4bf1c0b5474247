/** A problem found in an input, with the place it points at. Modelled on vfile-message. */
import type { Position } from './position.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic extends Position {
  severity: Severity;
  message: string;
  ruleId: string;
  hint?: string;
}

/** Thrown for problems that stop a run; carries every diagnostic collected so far. */
export class FolioError extends Error {
  readonly diagnostics: Diagnostic[];
  readonly exitCode: number;
  constructor(diagnostics: Diagnostic[], exitCode = 1, options?: { cause?: unknown }) {
    super(diagnostics.map(formatDiagnostic).join('\n'), options);
    this.name = 'FolioError';
    this.diagnostics = diagnostics;
    this.exitCode = exitCode;
  }
}

/**
 * A foreign error (a library's, the system's) caught at a stage boundary: names the stage and its
 * input and keeps the original as `cause`. What a user can cause is a FolioError instead; a
 * StageError is a Folio fault, printed as an internal error.
 */
export class StageError extends Error {
  constructor(
    readonly stage: string,
    readonly input: string,
    cause: unknown,
  ) {
    super(`${stage} failed on ${input}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StageError';
  }
}

/** Rethrows a FolioError as it is; wraps anything else as a StageError of `stage` on `input`. */
export function wrapStageError(stage: string, input: string, e: unknown): Error {
  if (e instanceof FolioError || e instanceof StageError) return e;
  return new StageError(stage, input, e);
}

/** Collects diagnostics for one run. Content problems are collected; `fail` throws. */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  add(d: Diagnostic): void {
    this.diagnostics.push(d);
  }
  error(d: Omit<Diagnostic, 'severity'>): void {
    this.add({ ...d, severity: 'error' });
  }
  warn(d: Omit<Diagnostic, 'severity'>): void {
    this.add({ ...d, severity: 'warning' });
  }
  get errors(): Diagnostic[] {
    return this.diagnostics.filter((d) => d.severity === 'error');
  }
  /** Throws a FolioError if any error was collected. */
  throwIfErrors(): void {
    if (this.errors.length > 0) throw new FolioError(this.diagnostics);
  }
}

/**
 * `file:line:col severity message rule-id`, then the hint on its own line.
 * @example formatDiagnostic(d) // "manuscript/book.yaml:3:10 error Expected a list authors-type\n  hint: …"
 */
export function formatDiagnostic(d: Diagnostic): string {
  const head = `${d.file}:${d.line}:${d.column} ${d.severity} ${d.message} ${d.ruleId}`;
  return d.hint ? `${head}\n  hint: ${d.hint}` : head;
}

/** 1-based line and column of a character offset. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}
