// What every command shares: usage errors, option parsers, printing diagnostics, and the one place that
// turns a thrown error into an exit code (0 ok, 1 content or build error, 2 usage error).
import { type Command, CommanderError, Option } from 'commander';
import { type Diagnostic, FolioError, formatDiagnostic, StageError } from '../diagnostics/diagnostic.js';

/** One command: `define` declares its arguments and options on the program (the parser); `run` does the work. */
export interface FolioCommand<A extends unknown[] = never[]> {
  define(program: Command): Command;
  run(...args: A): Promise<number>;
}

/** A usage error: printed as `folio: <message>`, exit code 2. */
export function usageError(message: string): CommanderError {
  return new CommanderError(2, 'folio.usage', message);
}

/** Parses `--<flag> <seconds>`: a finite number above zero, else a usage error. */
export function positiveSeconds(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw usageError(`--${flag} expects seconds, got "${v}"`);
    return n;
  };
}

/** `--format text|json`, text by default. */
export function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');
}

export type OutputFormat = 'text' | 'json';

/** Writes each diagnostic as `file:line:col severity message rule-id` (+ hint line) to the stream. */
export function writeDiagnostics(stream: NodeJS.WritableStream, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) stream.write(`${formatDiagnostic(d)}\n`);
}

/** Seconds since `t0` (a `performance.now()` reading), one decimal. */
export function secondsSince(t0: number): string {
  return ((performance.now() - t0) / 1000).toFixed(1);
}

/** The exit code for an error thrown while parsing or running a command; prints what the user needs. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    if (e.code === 'folio.usage') process.stderr.write(`folio: ${e.message}\n`);
    return 2;
  }
  if (e instanceof FolioError) {
    writeDiagnostics(process.stderr, e.diagnostics);
    process.stderr.write(`folio: failed; earlier outputs are untouched\n`);
    return e.exitCode;
  }
  // a Folio fault, not the user's: the stage and its input say where, the stack is for the bug report
  const where = e instanceof StageError ? ` in the ${e.stage} stage (${e.input})` : '';
  const cause = e instanceof StageError ? (e.cause as Error | undefined) : (e as Error | undefined);
  process.stderr.write(`folio: internal error${where}: ${cause?.stack ?? String(e)}\n`);
  return 1;
}

/** The "Examples:" block at the foot of a command's --help (`addHelpText('after', …)`). */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
