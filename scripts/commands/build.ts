// folio build: the outputs of a manuscript into --out, checked (unless --no-check) before they replace the old.
import { type Command, Option } from 'commander';
import { groupDiagnostics } from '../output/group.js';
import { createProgress, summaryTable } from '../output/progress.js';
import { TARGETS, type Target } from '../targets.js';
import { printCheck } from './check.js';
import { examples, type FolioCommand, positiveSeconds, secondsSince } from './shared.js';

export interface BuildOptions {
  manuscript: string;
  out: string;
  target?: Target[];
  timeout: number;
  check: boolean;
  epubcheck: 'fast' | 'java';
  verbose?: boolean;
  /** A press build that is only a proof is an error (as book.yaml press.strict). */
  print?: boolean;
}

async function runBuild(o: BuildOptions): Promise<number> {
  const t0 = performance.now();
  // SIGINT / SIGTERM: children killed, temporary folders removed, exit 130 / 143
  (await import('../output/cleanup.js')).stopOnSignals('build');
  const progress = createProgress();
  const { build: buildBook } = await import('../build.js');
  const result = await buildBook({
    manuscript: o.manuscript,
    out: o.out,
    targets: o.target,
    timeoutMs: o.timeout * 1000,
    check: o.check,
    print: o.print,
    epubcheck: o.epubcheck,
    log: (line) => progress.log(line),
    onPage: (n) => progress.page(n),
  }).finally(() => progress.done());
  // what a person reads: one line per kind of warning (every one with --verbose), the check, the table last
  const ds = result.diagnostics;
  for (const line of groupDiagnostics(ds, { verbose: o.verbose })) process.stderr.write(`${line}\n`);
  if (!o.verbose && ds.length > new Set(ds.map((d) => `${d.severity} ${d.ruleId}`)).size)
    process.stderr.write('folio: (one line per kind; --verbose lists each)\n');
  if (result.check) printCheck(result.check, result.timings.find((t) => t.stage === 'check')?.ms ?? 0);
  process.stderr.write(`folio: built in ${secondsSince(t0)} s\n`);
  // the closing line: what the press files are good for
  const verdict = result.preflight?.summary;
  if (verdict)
    process.stderr.write(
      verdict.verdict === 'print-ready'
        ? 'folio: press files print-ready\n'
        : `folio: press files proof only: ${verdict.blockers.map((b) => b.message).join('; ')}\n`,
    );
  process.stdout.write(`${summaryTable(result.outputs, result.timings, o.out)}\n`);
  return 0;
}

export const build: FolioCommand<[BuildOptions]> = {
  define: (program: Command) =>
    program
      .command('build')
      .description('build the outputs of a manuscript into --out (checks the tools it needs first)')
      .option('-m, --manuscript <dir>', 'manuscript folder (book.yaml + chapters)', 'manuscript')
      .option('-o, --out <dir>', 'output folder', 'dist')
      .addOption(new Option('-t, --target <name...>', 'target(s) to build (default: all)').choices([...TARGETS]))
      .option('--timeout <seconds>', 'time limit for pagination', positiveSeconds('timeout'), 120)
      .option('--no-check', 'skip the fidelity check of the staged outputs before they replace the earlier ones')
      .addOption(
        new Option('--epubcheck <validator>', "the check's EPUB validator: fast (epubcheck-ts) or java (epubcheck)")
          .choices(['fast', 'java'])
          .default('fast'),
      )
      .option('-v, --verbose', 'list every warning and note in full (default: one line per kind)')
      .option('--print', 'press files must be print-ready: a proof (placeholders, no 书号/准印证号, RGB) is an error')
      .addHelpText(
        'after',
        examples(
          'folio build',
          'folio build --manuscript books/新的一本书/manuscript --out books/新的一本书/dist',
          'folio build --target booklet epub --no-check',
        ),
      ),
  run: runBuild,
};
