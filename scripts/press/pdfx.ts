import { forgetTempDir, makeTempDir } from '../output/cleanup.js';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRef } from 'pdf-lib';
import { fileURLToPath } from 'node:url';
import { FolioError } from '../diagnostics/diagnostic.js';
import type { BookMeta } from '../model/book.js';
import { setXmp } from '../pdf/finish.js';
import { restoreToUnicode, toUnicodeFonts, writeCMap } from '../pdf/tounicode.js';
import { type CmykImageReport, type PreparedImages, precomputeCmykImages } from './cmyk-images.js';
import { type NeutralReport, neutralsToBlack } from './neutrals.js';
import type { Position } from '../diagnostics/position.js';
import { flattenImageAlpha, type TransparentImage } from './flatten.js';
import type { Rgb } from './rgb.js';
import { saveDeflated } from '../pdf/zlib.js';

const run = promisify(execFile);

/** A registered printing condition and the ICC profile that characterises it. */
export interface OutputIntent {
  /** OutputConditionIdentifier as registered at the ICC (color.org), e.g. FOGRA39, JC200103. */
  identifier: string;
  /** OutputCondition: the condition in words. */
  condition: string;
  registry: string;
  /** Absolute path of the ICC profile (CMYK output profile). */
  icc: string;
}

/**
 * FOGRA39 (ISO 12647-2:2004/Amd 1, coated paper): Fogra's characterisation data FOGRA39L.ti3 (Debian
 * icc-profiles-free, Zlib) made into a profile with ArgyllCMS colprof (profiles/README.md).
 */
export const FOGRA39: OutputIntent = {
  identifier: 'FOGRA39',
  condition: 'Offset printing, according to ISO 12647-2:2004/Amd 1, paper type 1 or 2 (coated art), FOGRA39',
  registry: 'http://www.color.org',
  icc: fileURLToPath(new URL('../../profiles/FOGRA39L-folio.icc', import.meta.url)),
};

/** Conditions known by identifier, so that book.yaml need only give the profile. */
const CONDITIONS: Record<string, string> = {
  FOGRA39: FOGRA39.condition,
  JC200103: 'Japan Color 2001 Coated (ISO 12647-2, sheet-fed offset, coated paper)',
  FOGRA51: 'Offset printing, according to ISO 12647-2:2013, premium coated paper (PS1), FOGRA51',
};

/** book.yaml's `press.outputIntent` (a profile path relative to the manuscript folder) as an intent. */
export function resolveOutputIntent(setting: BookMeta['press']['outputIntent'], root: string): OutputIntent {
  if (typeof setting === 'string') return FOGRA39;
  return {
    identifier: setting.identifier,
    condition: setting.condition ?? CONDITIONS[setting.identifier] ?? setting.identifier,
    registry: setting.registry,
    icc: path.resolve(root, setting.icc),
  };
}

/**
 * Colour and image settings shared by the PDF/X pass and the image pre-conversion (so that an image
 * converted ahead comes out as the PDF/X pass itself would convert it): RGB is converted with the
 * OutputIntent's profile. Images are kept lossless (Flate): no JPEG generation loss in a press file,
 * and Ghostscript's per-image filter analysis (AutoFilter, ~0.3 s per photo) is skipped.
 */
function gsColour(intent: OutputIntent): string[] {
  return [
    `--permit-file-read=${intent.icc}`,
    '-sDEVICE=pdfwrite',
    '-dCompatibilityLevel=1.3',
    '-sColorConversionStrategy=CMYK',
    '-sProcessColorModel=DeviceCMYK',
    `-sOutputICCProfile=${intent.icc}`,
    '-dAutoFilterColorImages=false',
    '-dColorImageFilter=/FlateEncode',
    '-dAutoFilterGrayImages=false',
    '-dGrayImageFilter=/FlateEncode',
    '-dDownsampleColorImages=false',
    '-dDownsampleGrayImages=false',
    '-dDownsampleMonoImages=false',
  ];
}

let gsVersion: Promise<string> | undefined;
const ghostscriptVersion = () =>
  (gsVersion ??= run('gs', ['--version']).then(
    (r) => r.stdout.trim(),
    () => 'unknown',
  ));

/** PostScript string in UTF-16BE hex, so a Chinese title survives pdfmark. */
const psText = (s: string) => `<FEFF${Buffer.from(s, 'utf16le').swap16().toString('hex').toUpperCase()}>`;

/** PostScript literal string, for ASCII text. */
const psString = (s: string) => `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;

/** The part of ISO 15930 the PDF/X claims, and the PDF version it is based on (header and catalog). */
export const PDFX = { part: 'PDF/X-3:2002', version: '1.3' } as const;

export interface PdfxResult {
  data: Uint8Array;
  version: string;
  images: CmykImageReport;
  parts: number;
  intent: OutputIntent;
  neutrals: NeutralReport;
  /** Images with alpha composited onto their backdrop (PDF/X-3 has no transparency). */
  flattened: number;
}

interface PdfxOptions {
  images?: 'stand-ins' | 'converted' | 'inline';
  parts?: number;
  intent?: OutputIntent;
  /** The manuscript folder: book.yaml's own profile path is relative to it. */
  root?: string;
  /** Pages (1-based) whose background is not paper: an image with alpha there is flattened onto it. */
  backdrops?: ReadonlyMap<number, Rgb>;
  /** Where an image that cannot be flattened is used in the manuscript, for its diagnostic. */
  locate?: (img: TransparentImage) => Position | undefined;
  /** Called when Ghostscript starts (this thread's share of the work is done until it ends). */
  onGhostscript?: () => void;
  /**
   * The press PDF already parsed (the document `press` was saved from): it is changed for Ghostscript
   * instead of being parsed again (~0.1 s at 128 pages). Not to be used after.
   */
  doc?: PDFDocument;
}

/** What the press PDF becomes before Ghostscript reads it, and what is needed to finish its output. */
interface Prepared {
  boxes: PageBoxes[];
  images?: PreparedImages;
  unicode: { font: string; map: Map<number, string> }[];
  neutrals: NeutralReport;
  flattened: number;
}

/**
 * PDF/X (Ghostscript pdfwrite, -dPDFX): neutral colours as black ink only, everything else converted
 * to CMYK with the OutputIntent's profile, GTS_PDFXVersion, XMP; then the page boxes of the press PDF
 * are set again, exactly, and the header says the PDF version of the part claimed.
 * @example const pdfx = await makePdfx(pressBytes, book.meta);
 */
export async function makePdfx(press: Uint8Array, meta: BookMeta, opts: PdfxOptions = {}): Promise<PdfxResult> {
  const intent = opts.intent ?? resolveOutputIntent(meta.press.outputIntent, opts.root ?? '.');
  checkProfile(intent);
  const dir = await makeTempDir('folio-pdfx-');
  try {
    const input = path.join(dir, 'press.pdf');
    const output = path.join(dir, 'pdfx.pdf');
    let prepared: Prepared | undefined;
    let ranges: [number, number][] = [];
    try {
      await writeFile(path.join(dir, 'PDFX_def.ps'), pdfxDef(meta, intent));
      prepared = await preparePress(press, input, intent, opts);
      ranges = pageRanges(
        prepared.boxes.length,
        opts.parts ?? (prepared.boxes.length >= SPLIT_MIN_PAGES ? Math.min(2, availableParallelism()) : 1),
      );
      const gs = runGhostscript(dir, input, output, ranges, intent, meta);
      opts.onGhostscript?.();
      await gs;
    } catch (e) {
      throw ghostscriptError(e);
    }
    let data: Uint8Array;
    try {
      data = await finishPdfx(prepared, await readFile(output), meta, ranges);
    } catch (e) {
      throw pdfxError(`Ghostscript's PDF/X could not be finished: ${(e as Error).message}`, 'pdfx-finish', e);
    }
    const version = /\/GTS_PDFXVersion\s*\(([^)]+)\)/.exec(Buffer.from(data).toString('latin1'))?.[1] ?? 'unknown';
    const { restore: _, ...report } = prepared.images ?? { images: 0, hits: 0, skipped: 0, restore: undefined };
    const { neutrals, flattened } = prepared;
    return { data, version, images: report, parts: ranges.length, intent, neutrals, flattened };
  } finally {
    await rm(dir, { recursive: true, force: true });
    forgetTempDir(dir);
  }
}

function checkProfile(intent: OutputIntent): void {
  if (existsSync(intent.icc)) return;
  throw new FolioError([
    {
      file: intent.icc,
      line: 0,
      column: 0,
      severity: 'error',
      message: `The ICC profile of the PDF/X OutputIntent (${intent.identifier}) is missing`,
      ruleId: 'pdfx-icc',
      hint:
        intent === FOGRA39
          ? 'profiles/FOGRA39L-folio.icc belongs to Folio: restore it (git checkout profiles/) ' +
            'or run scripts/press/make-icc.sh.'
          : 'press.outputIntent.icc in book.yaml is relative to the manuscript folder: check the path.',
    },
  ]);
}

/**
 * One parse of the press PDF: its boxes kept, links out, images with alpha flattened, neutral colours
 * as K, ToUnicode ranges spelled out (Ghostscript 10.00 misreads ranges), images converted ahead; one
 * save, for Ghostscript.
 */
async function preparePress(
  press: Uint8Array,
  input: string,
  intent: OutputIntent,
  opts: PdfxOptions,
): Promise<Prepared> {
  const mode = opts.images ?? 'stand-ins';
  const doc = opts.doc ?? (await PDFDocument.load(press, { updateMetadata: false }));
  const boxes = pageBoxes(doc);
  removeAnnotations(doc);
  const alpha = flattenImageAlpha(doc, opts.backdrops);
  if (alpha.refused.length) throw transparencyError(alpha.refused, opts.locate);
  const neutrals = neutralsToBlack(doc);
  const maps = toUnicodeFonts(doc);
  for (const [ref, { map }] of maps) doc.context.assign(ref, doc.context.flateStream(writeCMap(map)));
  // Bookmarks are the booklet's and the press PDF's; a page range of Ghostscript would keep only its own.
  doc.catalog.delete(PDFName.of('Outlines'));
  doc.catalog.delete(PDFName.of('PageMode'));
  const images =
    mode === 'inline'
      ? undefined
      : await precomputeCmykImages(doc, gsColour(intent), await ghostscriptVersion(), await readFile(intent.icc), {
          placeholders: mode === 'stand-ins',
        });
  await writeFile(input, await saveDeflated(doc, { useObjectStreams: false, updateFieldAppearances: false }));
  return { boxes, images, unicode: [...maps.values()], neutrals, flattened: alpha.flattened };
}

/** Ghostscript is one thread: a long book goes through it in page ranges side by side, joined by qpdf. */
async function runGhostscript(
  dir: string,
  input: string,
  output: string,
  ranges: [number, number][],
  intent: OutputIntent,
  meta: BookMeta,
): Promise<void> {
  const epoch = String(Math.floor(meta.buildDate.getTime() / 1000));
  const outs = ranges.map((_, i) => path.join(dir, `part-${i}.pdf`));
  const args = (i: number, [first, last]: [number, number]) => [
    '-q',
    '-dBATCH',
    '-dNOPAUSE',
    '-dSAFER',
    '-dPDFX',
    // Ghostscript 10.00's PostScript-based PDF reader: a third faster than its new C one on Folio's text
    // pages (1.43 s against 1.92 s for 128 pages), and the finished PDF/X is byte-identical (the seed and
    // the 20× anthology). A Ghostscript without it ignores the switch and reads with the new one.
    '-dNEWPDF=false',
    ...gsColour(intent),
    '-dEmbedAllFonts=true',
    '-dSubsetFonts=true',
    '-dAutoRotatePages=/None',
    '-dMaxInlineImageSize=0',
    ...(ranges.length > 1 ? [`-dFirstPage=${first}`, `-dLastPage=${last}`] : []),
    `-sOutputFile=${outs[i]}`,
    path.join(dir, 'PDFX_def.ps'),
    input,
  ];
  const env = { ...process.env, SOURCE_DATE_EPOCH: epoch };
  await Promise.all(ranges.map((r, i) => run('gs', args(i, r), { env, maxBuffer: 16 * 2 ** 20 })));
  // Always through qpdf: Ghostscript writes every /Length as an indirect object, and pdf-lib, not
  // resolving it, finds the stream's end by its keyword and drops a last data byte that is a newline
  // (a truncated page content stream, seen with the seed). qpdf writes direct lengths. The first part
  // keeps its catalog (OutputIntent) and Info; the others give their pages.
  const join = ranges.length > 1 ? ['--pages', '.', ...outs.slice(1), '--'] : [];
  await run('qpdf', ['--warning-exit-0', outs[0]!, ...join, output], { maxBuffer: 16 * 2 ** 20 });
}

function pdfxError(message: string, ruleId: string, cause: unknown, hint?: string): FolioError {
  return new FolioError(
    [
      {
        file: 'press-pdfx',
        line: 0,
        column: 0,
        severity: 'error',
        message,
        ruleId,
        hint: hint ?? 'A Folio fault: report it with the manuscript; the other outputs are fine with --target.',
      },
    ],
    1,
    { cause },
  );
}

/**
 * Images whose alpha could not be flattened: Ghostscript would turn their pages into one raster each (text
 * no longer text), so the PDF/X is refused at the figure that brings them, not blamed on lost content.
 */
function transparencyError(refused: TransparentImage[], locate: PdfxOptions['locate']): FolioError {
  return new FolioError(
    refused.map((img) => {
      const at = locate?.(img) ?? { file: 'press-pdfx', line: 0, column: 0 };
      const pages = img.pages.length ? `page ${img.pages.join(', ')}` : 'no page';
      return {
        ...at,
        severity: 'error' as const,
        message:
          `The PDF/X cannot carry this image's transparency (${img.width} × ${img.height} px, ${pages}): ` +
          `${img.why}`,
        ruleId: 'image-transparency',
        hint:
          'PDF/X-3 has no transparency: save the image without alpha (flattened onto white, or onto the ' +
          'colour it sits on), or build the other outputs with --target.',
      };
    }),
  );
}

function ghostscriptError(e: unknown): FolioError {
  if (e instanceof FolioError) return e;
  const err = e as { code?: string; stderr?: string; message: string };
  const message =
    err.code === 'ENOENT'
      ? 'Ghostscript (gs) or qpdf is not installed'
      : err.stderr !== undefined
        ? `Ghostscript failed: ${firstLines(err.stderr || err.message)}`
        : `The press PDF could not be prepared for Ghostscript: ${err.message}`;
  return pdfxError(message, 'pdfx-ghostscript', e, 'Run `bash scripts/setup.sh` (installs ghostscript).');
}

function pdfxDef(meta: BookMeta, intent: OutputIntent): string {
  return `%!
% Generated by Folio from Ghostscript's lib/PDFX_def.ps.
[ /GTS_PDFXVersion (${PDFX.part})
  /Title ${psText(meta.subtitle ? `${meta.title}——${meta.subtitle}` : meta.title)}
  /Author ${psText(meta.authors.join('、'))}
  /Trapped /False
/DOCINFO pdfmark
/ICCProfile ${psString(intent.icc)} def
[/_objdef {icc_PDFX} /type /stream /OBJ pdfmark
[{icc_PDFX} << /N 4 >> /PUT pdfmark
[{icc_PDFX} ICCProfile (r) file /PUT pdfmark
[/_objdef {OutputIntent_PDFX} /type /dict /OBJ pdfmark
[{OutputIntent_PDFX} <<
  /Type /OutputIntent
  /S /GTS_PDFX
  /OutputCondition ${psString(intent.condition)}
  /Info ${psString(intent.condition)}
  /OutputConditionIdentifier ${psString(intent.identifier)}
  /RegistryName ${psString(intent.registry)}
  /DestOutputProfile {icc_PDFX}
>> /PUT pdfmark
[{Catalog} <</OutputIntents [ {OutputIntent_PDFX} ]>> /PUT pdfmark
`;
}

/** From this many pages on, Ghostscript runs on page ranges in parallel (below, its start-up outweighs the gain). */
const SPLIT_MIN_PAGES = 48;

/** 1-based inclusive page ranges of near-equal length. */
export function pageRanges(pages: number, parts: number): [number, number][] {
  const n = Math.max(1, Math.min(parts, pages));
  return Array.from(
    { length: n },
    (_, i) => [Math.floor((i * pages) / n) + 1, Math.floor(((i + 1) * pages) / n)] as [number, number],
  );
}

/**
 * Each Ghostscript run subsets the fonts its pages use and may give a subset the name another run
 * gave a different subset of the same font ("EMNXPQ+NotoSansSC…" twice, other glyphs). Two fonts of
 * one name and different contents confuse RIPs that cache fonts by name: later parts' subsets get a
 * prefix of their own.
 */
function renameSharedSubsets(doc: PDFDocument, ranges: [number, number][]): void {
  if (ranges.length < 2) return;
  const pages = doc.getPages();
  const seen = new Map<string, PDFRef>(); // subset name → the font object that has it
  for (const [part, [first, last]] of ranges.entries()) {
    for (let n = first; n <= last; n++) {
      const fonts = pages[n - 1]!.node.Resources()?.lookupMaybe(PDFName.of('Font'), PDFDict);
      for (const value of fonts?.values() ?? []) {
        if (!(value instanceof PDFRef)) continue;
        const font = doc.context.lookup(value, PDFDict);
        const name = font.lookupMaybe(PDFName.of('BaseFont'), PDFName)?.decodeText();
        if (!name || !/^[A-Z]{6}\+/.test(name)) continue;
        const owner = seen.get(name);
        if (!owner) seen.set(name, value);
        else if (owner !== value) {
          const tag = subsetTag(`${part}:${name}`);
          const renamed = `${tag}${name.slice(6)}`;
          setFontName(doc, font, name, renamed);
          seen.set(renamed, value);
        }
      }
    }
  }
}

/** Six capital letters from a hash, as subset prefixes are made. */
function subsetTag(seed: string): string {
  const h = createHash('sha256').update(seed).digest();
  return String.fromCharCode(...[...h.subarray(0, 6)].map((b) => 65 + (b % 26)));
}

/** BaseFont of the font and its descendants, FontName of their descriptors. */
function setFontName(doc: PDFDocument, font: PDFDict, from: string, to: string): void {
  const dicts = [
    font,
    ...(font
      .lookupMaybe(PDFName.of('DescendantFonts'), PDFArray)
      ?.asArray()
      .map((d) => doc.context.lookup(d, PDFDict)) ?? []),
  ];
  for (const d of dicts) {
    if (d.lookupMaybe(PDFName.of('BaseFont'), PDFName)?.decodeText() === from)
      d.set(PDFName.of('BaseFont'), PDFName.of(to));
    const desc = d.lookupMaybe(PDFName.of('FontDescriptor'), PDFDict);
    if (desc?.lookupMaybe(PDFName.of('FontName'), PDFName)?.decodeText() === from)
      desc.set(PDFName.of('FontName'), PDFName.of(to));
  }
}

interface PageBoxes {
  media: { x: number; y: number };
  trim: { x: number; y: number; width: number; height: number };
  bleed: { x: number; y: number; width: number; height: number };
}

function pageBoxes(doc: PDFDocument): PageBoxes[] {
  return doc.getPages().map((p) => ({
    media: p.getMediaBox(),
    trim: p.node.lookup(PDFName.of('TrimBox'), PDFArray).asRectangle(),
    bleed: p.node.lookup(PDFName.of('BleedBox'), PDFArray).asRectangle(),
  }));
}

/**
 * Ghostscript's output made whole: converted images and ToUnicode maps back, subset names apart;
 * TrimBox and BleedBox set again from the press PDF (Ghostscript may normalise or drop them); XMP,
 * a stable /ID, and the header of the PDF version the part is based on (pdf-lib would write 1.7).
 */
async function finishPdfx(
  prepared: Prepared,
  pdfx: Uint8Array,
  meta: BookMeta,
  ranges: [number, number][],
): Promise<Uint8Array> {
  const doc = await PDFDocument.load(pdfx, { updateMetadata: false });
  prepared.images?.restore(doc);
  restoreToUnicode(doc, prepared.unicode);
  renameSharedSubsets(doc, ranges);
  restoreBoxes(doc, prepared.boxes);
  // PDF/X-3 output of Ghostscript is PDF 1.3 and carries no XMP: add the packet, with the PDF/X id
  setXmp(doc, meta, { creator: 'Folio (Ghostscript pdfwrite)', pdfx: PDFX.part });
  // Ghostscript's /ID is not reproducible (its dates follow SOURCE_DATE_EPOCH): derive it from the content.
  const id = createHash('md5')
    .update(meta.contentHash)
    .update(meta.buildDate.toISOString())
    .update('press-pdfx')
    .digest('hex');
  doc.context.trailerInfo.ID = doc.context.obj([PDFHexString.of(id), PDFHexString.of(id)]);
  doc.catalog.delete(PDFName.of('Version'));
  return withHeader(await saveDeflated(doc, { useObjectStreams: false, updateFieldAppearances: false }), PDFX.version);
}

/**
 * pdf-lib's writer always starts the file with `%PDF-1.7`. The header is rewritten in place (same
 * length, so no offset moves); the file uses nothing newer (no object or xref streams).
 */
export function withHeader(pdf: Uint8Array, version: string): Uint8Array {
  const header = Buffer.from(`%PDF-${version}`, 'latin1');
  if (Buffer.from(pdf.subarray(0, 5)).toString('latin1') !== '%PDF-' || header.length !== 8)
    throw new Error('not a PDF with a %PDF-x.y header');
  pdf.set(header, 0);
  return pdf;
}

/** gs moves the origin to (0, 0): every box shifted by the same amount, set where it differs. */
function restoreBoxes(doc: PDFDocument, src: PageBoxes[]): void {
  const pages = doc.getPages();
  if (src.length !== pages.length) throw new Error(`PDF/X has ${pages.length} pages, press PDF ${src.length}`);
  for (const [i, page] of pages.entries()) {
    const origin = page.getMediaBox();
    const dx = origin.x - src[i]!.media.x;
    const dy = origin.y - src[i]!.media.y;
    for (const name of ['TrimBox', 'BleedBox'] as const) {
      const box = name === 'TrimBox' ? src[i]!.trim : src[i]!.bleed;
      const want = [box.x + dx, box.y + dy, box.x + dx + box.width, box.y + dy + box.height].map(
        (n) => Math.round(n * 1000) / 1000,
      );
      const have = page.node.lookupMaybe(PDFName.of(name), PDFArray)?.asRectangle();
      const same =
        have &&
        Math.abs(have.x - want[0]!) <= 0.01 &&
        Math.abs(have.y - want[1]!) <= 0.01 &&
        Math.abs(have.width - (want[2]! - want[0]!)) <= 0.01 &&
        Math.abs(have.height - (want[3]! - want[1]!)) <= 0.01;
      if (!same) page.node.set(PDFName.of(name), doc.context.obj(want));
    }
  }
}

/**
 * PDF/X forbids annotations other than TrapNet and PrinterMark; Ghostscript meeting a link (the
 * contents page has them) drops out of PDF/X mode. A print file needs no links: remove them first.
 */
function removeAnnotations(doc: PDFDocument): void {
  for (const page of doc.getPages()) page.node.delete(PDFName.of('Annots'));
}

/** The first three non-empty lines of a tool's output, on one line. */
function firstLines(text: string): string {
  return text.split('\n').filter(Boolean).slice(0, 3).join(' / ');
}
