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

/** The longest time limit: a day (timers past 2^31 - 1 ms, ~24.8 days, would fire at once). */
export const MAX_SECONDS = 86_400;

/** Parses `--<flag> <seconds>`: a number above zero and at most a day, else a usage error. */
export function positiveSeconds(flag: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!v.trim() || !Number.isFinite(n) || n <= 0 || n > MAX_SECONDS)
      throw usageError(`--${flag} expects seconds above 0 and at most ${MAX_SECONDS} (a day), got "${v}"`);
    return n;
  };
}

/** Parses `--port <n>`: a whole number from 0 (any free port) to 65535, else a usage error. */
export function portNumber(v: string): number {
  const n = /^\d{1,5}$/.test(v.trim()) ? Number(v) : NaN;
  if (!(n >= 0 && n <= 65_535))
    throw usageError(`--port expects a whole number from 0 (any free port) to 65535, got "${v}"`);
  return n;
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
export function exitCodeFor(e: unknown, command?: string): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    if (e.code === 'folio.usage') process.stderr.write(`folio: ${e.message}\n`);
    return 2;
  }
  if (e instanceof FolioError) {
    writeDiagnostics(process.stderr, e.diagnostics);
    // only a build writes outputs, and a failed one leaves the earlier set in place
    process.stderr.write(command === 'build' ? `folio: failed; earlier outputs are untouched\n` : `folio: failed\n`);
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

/** A file or folder an option names must exist: else a usage error (exit 2) naming the option. */
export async function requirePath(option: string, p: string, kind: 'file' | 'folder', hint: string): Promise<void> {
  const { stat } = await import('node:fs/promises');
  const st = await stat(p).catch(() => undefined);
  if (st && (kind === 'file' ? st.isFile() : st.isDirectory())) return;
  throw new FolioError(
    [
      {
        file: p,
        line: 0,
        column: 0,
        severity: 'error',
        message: `${option} ${p}: ${st ? `not a ${kind}` : 'no such ' + kind}`,
        ruleId: 'usage-path',
        hint,
      },
    ],
    2,
  );
}
