import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import type { FidelityReport, FidelityRun } from './check/fidelity.js';
import { type Diagnostic, FolioError, wrapStageError } from './diagnostics/diagnostic.js';
import { lintBook, summarise } from './lint/lint.js';
import { readBookYaml } from './config/load.js';
import { loadManuscript, type Manuscript } from './manuscript/load.js';
import { buildBook, type Book, sourceDateEpoch } from './model/book.js';
import { closeBrowser, launchBrowser } from './paginate/browser.js';
import type { Pagination } from './paginate/paginate.js';
import { paginatePlanned, recallPlan } from './paginate/planned.js';
import { initialPlan } from './model/plan.js';
import { identification, imprintWarnings } from './model/imprint.js';
import { sheetDiagnostic } from './press/sheet.js';
import type { Layout, PreflightFile, PreflightReport } from './preflight/preflight.js';
import { glyphDiagnostics } from './fonts/coverage.js';
import { renderHtml } from './render/html.js';
import { type ManifestEntry, sha256, writeAtomic } from './output/write.js';
import { makeOutputs, outputStages, type BuiltOutput, type MadeOutputs } from './output/make.js';
import { OutputTransaction, recoverOutputs } from './output/transaction.js';
import { validateOutDir } from './output/out-dir.js';
import { pruneCaches } from './cache/cache.js';
import { forgetTempDir, makeTempDir } from './output/cleanup.js';
import { neededTools, requireTools } from './doctor/doctor.js';

import { TARGETS, type Target } from './targets.js';

export { TARGETS, type Target };

export interface BuildOptions {
  manuscript: string;
  out: string;
  targets?: Target[];
  /** Paged.js time limit per target, ms. */
  timeoutMs?: number;
  /**
   * Run `folio check` on the outputs before they replace the earlier ones (default true). Each file is
   * checked as soon as it is made, beside the work still running (the PDF/X); the swap waits for all.
   */
  check?: boolean;
  /** The check's EPUB validator: `fast` (@likecoin/epubcheck-ts, default) or `java` (epubcheck). */
  epubcheck?: 'fast' | 'java';
  /** Progress lines (stage, time). */
  log?: (line: string) => void;
  onPage?: (n: number) => void;
  /** A press build that is only a proof is an error (`folio build --print`; book.yaml press.strict). */
  print?: boolean;
  /** Called with the browser once it runs (tests use it to simulate a crash). */
  onBrowser?: (browser: Browser) => void;
}

export interface BuildResult {
  book: Book;
  outputs: ManifestEntry[];
  pagination?: Pagination;
  diagnostics: Diagnostic[];
  timings: { stage: string; ms: number }[];
  /** Font subsetting and page-list figures of the EPUB, when built. */
  epub?: { fontBefore: number; fontAfter: number; glyphs: number; pageList: number };
  pdfxVersion?: string;
  imposition?: { sheets: number; blanksAdded: number; sides: [number, number][]; sequence: number[] };
  preflight?: PreflightReport;
  /** The fidelity check of the staged outputs (absent with check: false or no booklet, press or EPUB). */
  check?: FidelityReport;
}

/** Times each stage and wraps a foreign error with the stage's name and input. */
export class Stages {
  readonly timings: { stage: string; ms: number }[] = [];
  constructor(readonly log: (line: string) => void) {}

  async run<T>(name: string, input: string, fn: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } catch (e) {
      throw wrapStageError(name, input, e);
    } finally {
      const ms = performance.now() - t0;
      this.timings.push({ stage: name, ms });
      this.log(`${name.padEnd(10)} ${ms.toFixed(0).padStart(6)} ms`);
    }
  }
}

/**
 * config → manuscript → model → HTML → Paged.js → outputs → staging folder → check → swap.
 * The outputs and the manifest replace the earlier ones as one set, or not at all.
 * @example await build({ manuscript: 'manuscript', out: 'dist' });
 */
export async function build(opts: BuildOptions): Promise<BuildResult> {
  const notes: Diagnostic[] = [];
  try {
    return await buildWithNotes(opts, notes);
  } catch (e) {
    // a stale lock taken over or a swap settled is worth saying even when the build then fails
    if (e instanceof FolioError && notes.length)
      throw new FolioError([...notes, ...e.diagnostics], e.exitCode, { cause: e.cause });
    throw e;
  }
}

async function buildWithNotes(opts: BuildOptions, notes: Diagnostic[]): Promise<BuildResult> {
  const stages = new Stages(opts.log ?? (() => {}));
  const note = (message: string) =>
    notes.push({ file: opts.out, line: 0, column: 0, severity: 'info', message, ruleId: 'output-recovered' });
  // SOURCE_DATE_EPOCH is validated before anything is read (the model uses it for every date)
  if (process.env.SOURCE_DATE_EPOCH) sourceDateEpoch(process.env.SOURCE_DATE_EPOCH);
  // --out next: a file, a file as a parent, a folder that cannot be written is a usage error before any work
  await validateOutDir(opts.out);
  const targets = opts.targets?.length ? opts.targets : [...TARGETS];
  // the external tools first: a missing one is one clear message, not a stage failing halfway
  const needs = neededTools(targets, opts.check !== false, opts.epubcheck);
  const tools = await stages.run('tools', 'PATH', () => requireTools(needs));
  await recoverOutputs(opts.out, note);
  // Chromium starts (its own processes, ~0.5 s) while this thread loads, lints and renders the book
  const launching = launchBrowser();
  launching.catch(() => {}); // awaited in the browser stage
  const check = new LiveCheck(opts, targets);
  let prepared: { manuscript: Manuscript; book: Book };
  let made: MadeOutputs;
  let committed: { entries: ManifestEntry[]; check?: FidelityReport };
  try {
    prepared = await prepare(opts, stages);
    made = await layOutAndMake(opts, stages, prepared, targets, { launching, check });
    committed = await writeOutputs(opts, stages, prepared.book, made, note, check);
  } finally {
    // never leave a browser behind: one a lint error made unnecessary, one that crashed or hangs
    await closeBrowser(await launching.catch(() => undefined));
    await check.dispose();
  }
  const { manuscript, book } = prepared;
  await pruneCaches(); // the content-keyed cache stays within its limits, least recently used first
  return {
    book,
    outputs: committed.entries,
    pagination: made.pagination,
    epub: made.epub,
    pdfxVersion: made.pdfxVersion,
    imposition: made.imposition,
    preflight: made.report,
    check: committed.check,
    diagnostics: [
      ...tools,
      ...notes,
      ...manuscript.diagnostics.diagnostics,
      ...made.pagination.diagnostics,
      ...(made.report?.findings ?? []),
    ],
    timings: stages.timings,
  };
}

/** Manuscript, model and lint: errors stop the build here, before the browser. */
async function prepare(opts: BuildOptions, stages: Stages): Promise<{ manuscript: Manuscript; book: Book }> {
  const manuscript = await stages.run('manuscript', opts.manuscript, () => loadManuscript(opts.manuscript));
  checkOutDir(opts.out, manuscript.root);
  const book = await stages.run('model', opts.manuscript, () => buildBook(manuscript));
  await stages.run('lint', opts.manuscript, () => {
    for (const d of summarise(lintBook(manuscript, book).findings)) manuscript.diagnostics.add(d);
  });
  for (const d of pressDiagnostics(manuscript, book, opts)) manuscript.diagnostics.add(d);
  manuscript.diagnostics.throwIfErrors();
  return { manuscript, book };
}

/** A press build: the 版权页 fields a print shop needs (warnings), two pages on the imposition sheet (an error). */
function pressDiagnostics(manuscript: Manuscript, book: Book, opts: BuildOptions): Diagnostic[] {
  const targets = opts.targets?.length ? opts.targets : [...TARGETS];
  const { display, text } = manuscript.configFile;
  const press = targets.some((t) => t === 'press' || t === 'press-pdfx' || t === 'imposed');
  const misfit = targets.includes('imposed') ? sheetDiagnostic(book.meta, display, text) : undefined;
  return [...(press ? imprintWarnings(book.meta, display, text) : []), ...(misfit ? [misfit] : [])];
}

/** Paged.js lays out the booklet; every target is made from its pages. The browser never outlives this. */
async function layOutAndMake(
  opts: BuildOptions,
  stages: Stages,
  { manuscript, book }: { manuscript: Manuscript; book: Book },
  targets: Target[],
  live: { launching: Promise<Browser>; check: LiveCheck },
) {
  // the plan this book's last build chose, if the cache remembers it: after an edit it is almost always
  // right again, and the book is laid out once instead of twice (a long book's first plan seldom is)
  const first = (await recallPlan(book)) ?? initialPlan(book.chapters.length);
  const bundle = await stages.run('html', opts.manuscript, () => renderHtml(book, undefined, first));
  // a character no bundled face draws stops the build before the browser would pick a system font
  for (const d of glyphDiagnostics(bundle.usage!, [...manuscript.chapters, manuscript.configFile]))
    manuscript.diagnostics.add(d);
  manuscript.diagnostics.throwIfErrors();
  // The output stages (pdf-lib, fontkit, the EPUB packer, preflight: ~0.4 s of module loading) load while
  // Paged.js lays out, when this thread would wait: not while Chromium starts or asks for the book's
  // files, which both need this thread's event loop (loading them then delayed each by as long).
  let modules: ReturnType<typeof outputStages> | undefined;
  const loadModules = () => {
    modules ??= outputStages();
    modules.catch(() => {}); // awaited in makeOutputs; a failure to load surfaces there
    return modules;
  };
  const browser = await stages.run('browser', 'chromium', () => live.launching);
  try {
    opts.onBrowser?.(browser);
    const pageOpts = { timeoutMs: opts.timeoutMs, onPage: opts.onPage, onLayout: () => void loadModules() };
    // The EPUB needs the booklet's pages too: its page-list and cover come from them.
    const planned = await stages.run('paginate', opts.manuscript, () =>
      paginatePlanned(bundle, book, browser, pageOpts, manuscript.configFile, first),
    );
    const pagination = planned.pagination;
    stages.log(`page plan  ${planned.description}${planned.passes > 1 ? ' (laid out again to plan)' : ''}`);
    verifyPagination(book, pagination);
    if (!targets.includes('epub')) await closeBrowser(browser);
    const layout = layoutOf(book, pagination, coverPosition(manuscript));
    live.check.start(book);
    const ctx = {
      book,
      pagination,
      layout,
      targets,
      stages,
      browser,
      closeBrowser: () => closeBrowser(browser),
      onOutput: (o: BuiltOutput) => live.check.add(o),
    };
    return await makeOutputs(ctx, await loadModules());
  } finally {
    await closeBrowser(browser); // never leave a browser behind, even one that crashed or hangs
  }
}

/**
 * The fidelity check of one build, started file by file as the outputs are made (the booklet, press
 * PDF and EPUB are read while Ghostscript makes the PDF/X), on copies in a folder of its own; the
 * staged set is swapped in only when every file passed.
 */
class LiveCheck {
  private run?: Promise<FidelityRun>;
  private dir?: Promise<string>;
  constructor(
    private readonly opts: BuildOptions,
    private readonly targets: Target[],
  ) {}

  start(book: Book): void {
    if (this.opts.check === false || !this.targets.some((t) => ['booklet', 'press', 'epub'].includes(t))) return;
    const mode = this.opts.epubcheck === 'java' ? 'java' : 'fast';
    // epubcheck-ts loads in its worker thread while the EPUB is made
    if (mode === 'fast' && this.targets.includes('epub'))
      void import('./check/epubcheck.js').then(
        (m) => m.warmEpubcheck(),
        () => {},
      );
    // loaded here, not at start-up: nothing of the check stands between the command and Chromium
    this.run = import('./check/fidelity.js').then((m) => new m.FidelityRun(book, mode));
    this.dir = makeTempDir('folio-check-'); // removed on SIGINT/SIGTERM too
    this.run.catch(() => {});
    this.dir.catch(() => {}); // both awaited in add/finish
  }

  get started(): boolean {
    return this.run !== undefined;
  }

  add(o: BuiltOutput): void {
    if (!this.run || !this.dir) return;
    const file = this.dir.then(async (d) => {
      await writeFile(path.join(d, o.file), o.data);
      return path.join(d, o.file);
    });
    file.catch(() => {}); // the check's job awaits it
    void this.run.then((r) => r.add(manifestEntry(o), file));
  }

  async finish(): Promise<FidelityReport | undefined> {
    return (await this.run)?.finish();
  }

  async dispose(): Promise<void> {
    const dir = await this.dir?.catch(() => undefined);
    if (!dir) return;
    await rm(dir, { recursive: true, force: true });
    forgetTempDir(dir);
  }
}

/**
 * Stages every output, the layout and the preflight report in a folder inside --out, checks them
 * there, then swaps them in with the manifest last. A failed preflight writes nothing into --out: its
 * report goes to a temporary folder the error names.
 */
async function writeOutputs(
  opts: BuildOptions,
  stages: Stages,
  book: Book,
  made: MadeOutputs,
  note: (text: string) => void,
  live: LiveCheck,
): Promise<{ entries: ManifestEntry[]; check?: FidelityReport }> {
  if (made.report && !made.report.summary.passed) {
    const where = await reportAside(made.report, book.meta.title);
    throw new FolioError([...made.report.findings.filter((f) => f.severity === 'error'), where]);
  }
  if (made.report?.summary.verdict === 'proof only' && (opts.print || book.meta.press.strict)) {
    const where = await reportAside(made.report, book.meta.title);
    throw new FolioError([...proofOnly(made.report, configFileOf(opts), opts.print), where]);
  }
  const tx = await OutputTransaction.begin(opts.out);
  try {
    const entries = await stages.run('stage', opts.out, () => stageFiles(tx, book, made));
    const check = await checkOutputs(opts, stages, live);
    await stages.run('write', opts.out, () => tx.commit(entries, note));
    return { entries, check };
  } finally {
    await tx.discard();
  }
}

async function stageFiles(tx: OutputTransaction, book: Book, made: MadeOutputs): Promise<ManifestEntry[]> {
  const entries = [];
  for (const o of made.outputs) {
    await tx.write(o.file, o.data);
    entries.push(manifestEntry(o));
  }
  await tx.write('layout.json', `${JSON.stringify(made.layout, null, 2)}\n`);
  if (made.report) {
    const { preflightHtml } = await outputStages();
    await tx.write('preflight.json', `${JSON.stringify(made.report, null, 2)}\n`);
    await tx.write('preflight.html', preflightHtml(made.report, book.meta.title));
  }
  await tx.writeStagedManifest(entries);
  return entries;
}

const manifestEntry = (o: BuiltOutput): ManifestEntry => ({
  target: o.target,
  file: o.file,
  bytes: o.data.byteLength,
  sha256: sha256(o.data),
  ...(o.pages ? { pages: o.pages } : {}),
});

/** `folio check` on the set (started as each file was made): a failure leaves the earlier outputs in place. */
async function checkOutputs(opts: BuildOptions, stages: Stages, live: LiveCheck): Promise<FidelityReport | undefined> {
  if (!live.started) return undefined;
  const report = await stages.run('check', opts.out, () => live.finish());
  if (!report) return undefined;
  if (!report.passed) throw new FolioError(report.diagnostics);
  return report;
}

const configFileOf = (opts: BuildOptions) => path.join(opts.manuscript, 'book.yaml');

/** `--print` / press.strict: each reason the press files are a proof, as an error. */
function proofOnly(report: PreflightReport, configFile: string, flag?: boolean): Diagnostic[] {
  const why = flag ? 'folio build --print' : 'press.strict in book.yaml';
  const hints: Record<string, string> = {
    placeholders: 'Replace the placeholder images with the photos.',
    identification: 'Add identifier: ISBN … or imprint: {permit: …} (准印证号) to book.yaml.',
    rgb: 'Build the press-pdfx target: the print shop needs the CMYK PDF/X.',
    errors: 'Fix the preflight errors listed.',
  };
  return report.summary.blockers.map((b) => ({
    file: configFile,
    line: 0,
    column: 0,
    severity: 'error' as const,
    message: `The press files are proof only (${why}): ${b.message}`,
    ruleId: 'press-proof-only',
    hint: hints[b.rule],
  }));
}

/**
 * A failed build leaves --out as it was, its preflight report too: this build's report goes to a folder
 * of its own in the temporary folder (kept for the user), named in an info line.
 */
async function reportAside(report: PreflightReport, title: string): Promise<Diagnostic> {
  const dir = await mkdtemp(path.join(tmpdir(), 'folio-failed-preflight-'));
  await writeReport(dir, report, title);
  return {
    file: path.join(dir, 'preflight.html'),
    line: 0,
    column: 0,
    severity: 'info',
    message: "This build's preflight report (also preflight.json there); --out and its report are as they were",
    ruleId: 'preflight-report',
    hint: '`folio preflight --out DIR` reports again on the press files a build left in DIR.',
  };
}

async function writeReport(out: string, report: PreflightReport, title: string): Promise<void> {
  const { preflightHtml } = await outputStages();
  await writeAtomic(path.join(out, 'preflight.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeAtomic(path.join(out, 'preflight.html'), preflightHtml(report, title));
}

/** What preflight needs to know about the pages (also written as dist/layout.json for `folio preflight`). */
export function layoutOf(book: Book, p: Pagination, coverAt?: Layout['figures'][number]['source']): Layout {
  return {
    // the front cover's image (page 1) is blamed on book.yaml's cover: line
    ...(book.cover && coverAt
      ? { cover: { page: 1, source: coverAt, file: path.relative(book.root, book.cover) } }
      : {}),
    trim: { width: book.meta.trim.width, height: book.meta.trim.height },
    bleed: book.meta.press.bleed,
    safe: book.meta.press.safe,
    pages: p.pages.length,
    maxInk: book.meta.press.maxInk,
    identification: identification(book.meta),
    figures: book.figures.map((f) => ({
      id: f.id,
      page: p.figurePages[f.id] ?? 0,
      source: f.source,
      file: path.relative(book.root, f.file),
      fpo: f.fpo,
    })),
  };
}

/** Where book.yaml names the cover (the YAML node's position), for preflight's findings about it. */
function coverPosition(m: Manuscript): Layout['figures'][number]['source'] | undefined {
  if (!m.cover) return undefined;
  return { file: m.configFile.display, ...readBookYaml(m.configFile.text, m.configFile.display).positionOf(['cover']) };
}

/**
 * `folio preflight`: checks the press files a build left in `outDir` (from manifest.json and
 * layout.json) and writes preflight.json and preflight.html there.
 */
export async function preflightOutputs(outDir: string): Promise<PreflightReport> {
  const out = path.resolve(outDir);
  const read = async (name: string) => {
    try {
      return JSON.parse(await readFile(path.join(out, name), 'utf8'));
    } catch {
      throw new FolioError([
        {
          file: path.join(outDir, name),
          line: 0,
          column: 0,
          severity: 'error',
          message: `Cannot read ${name}`,
          ruleId: 'preflight-input',
          hint: 'Run `folio build --target press` (or all targets) first.',
        },
      ]);
    }
  };
  const manifest = (await read('manifest.json')) as { outputs: ManifestEntry[] };
  const layout = (await read('layout.json')) as Layout;
  const files = manifest.outputs
    .filter((o) => o.target === 'press' || o.target === 'press-pdfx' || o.target === 'imposed')
    .map((o) => ({ target: o.target as PreflightFile['target'], path: path.join(out, o.file), file: o.file }));
  if (!files.length)
    throw new FolioError([
      {
        file: path.join(outDir, 'manifest.json'),
        line: 0,
        column: 0,
        severity: 'error',
        message: 'No press files in the manifest',
        ruleId: 'preflight-input',
        hint: 'Build them: folio build --target press --target press-pdfx --target imposed',
      },
    ]);
  const { preflight } = await outputStages();
  const report = await preflight(files, layout);
  await writeReport(out, report, path.basename(files[0]!.file, '.pdf'));
  return report;
}

/** `--out` inside the manuscript would feed outputs back in as inputs. */
function checkOutDir(out: string, root: string): void {
  const rel = path.relative(root, path.resolve(out));
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
    throw new FolioError(
      [
        {
          file: out,
          line: 0,
          column: 0,
          severity: 'error',
          message: 'The output folder is inside the manuscript folder',
          ruleId: 'usage-out',
          hint: 'Choose --out outside the manuscript, e.g. ./dist.',
        },
      ],
      2,
    );
  }
}

/** Every heading must land on a page: a missing one means Paged.js dropped content. */
function verifyPagination(book: Book, p: Pagination): void {
  const lost = book.headings.filter((h) => !(h.id in p.headingPages));
  if (lost.length) {
    throw new FolioError(
      lost.map((h) => ({
        ...h.source,
        severity: 'error' as const,
        message: `Heading "${h.text}" is missing from the laid-out pages`,
        ruleId: 'render-lost-content',
        hint: 'An element before it may be taller than a page; shorten it or allow it to break.',
      })),
    );
  }
}
