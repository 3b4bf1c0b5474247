import { forgetTempDir, makeTempDir } from '../output/cleanup.js';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRef } from 'pdf-lib';
import { FolioError } from '../diagnostics/diagnostic.js';
import type { BookMeta } from '../model/book.js';
import { setXmp } from '../pdf/finish.js';
import { restoreToUnicode, toUnicodeFonts, writeCMap } from '../pdf/tounicode.js';
import { type CmykImageReport, type PreparedImages, precomputeCmykImages } from './cmyk-images.js';

const run = promisify(execFile);

/** The CMYK characterisation Ghostscript ships (Debian libgs-common): SWOP, registered as CGATS TR 001. */
export const OUTPUT_INTENT = {
  icc: '/usr/share/color/icc/ghostscript/default_cmyk.icc',
  identifier: 'CGATS TR 001',
  condition: 'SWOP (CGATS TR 001), Ghostscript default_cmyk.icc',
};

/**
 * Colour and image settings shared by the PDF/X pass and the image pre-conversion (so that an image
 * converted ahead comes out as the PDF/X pass itself would convert it). Images are kept lossless
 * (Flate): no JPEG generation loss in a press file, and Ghostscript's per-image filter analysis
 * (AutoFilter, ~0.3 s per photo) is skipped.
 */
const GS_COLOUR = [
  `--permit-file-read=${OUTPUT_INTENT.icc}`,
  '-sDEVICE=pdfwrite',
  '-dCompatibilityLevel=1.4',
  '-sColorConversionStrategy=CMYK',
  '-sProcessColorModel=DeviceCMYK',
  '-dAutoFilterColorImages=false',
  '-dColorImageFilter=/FlateEncode',
  '-dAutoFilterGrayImages=false',
  '-dGrayImageFilter=/FlateEncode',
  '-dDownsampleColorImages=false',
  '-dDownsampleGrayImages=false',
  '-dDownsampleMonoImages=false',
];

let gsVersion: Promise<string> | undefined;
const ghostscriptVersion = () =>
  (gsVersion ??= run('gs', ['--version']).then(
    (r) => r.stdout.trim(),
    () => 'unknown',
  ));

/** PostScript string in UTF-16BE hex, so a Chinese title survives pdfmark. */
const psText = (s: string) => `<FEFF${Buffer.from(s, 'utf16le').swap16().toString('hex').toUpperCase()}>`;

/**
 * PDF/X (Ghostscript pdfwrite, -dPDFX): everything converted to CMYK, an OutputIntent with the ICC
 * profile, GTS_PDFXVersion, XMP; then the page boxes of the press PDF are set again, exactly.
 * @example const pdfx = await makePdfx(pressBytes, book.meta);
 */
export async function makePdfx(
  press: Uint8Array,
  meta: BookMeta,
  opts: { images?: 'stand-ins' | 'converted' | 'inline'; parts?: number } = {},
): Promise<{ data: Uint8Array; version: string; images: CmykImageReport; parts: number }> {
  if (!existsSync(OUTPUT_INTENT.icc)) {
    throw new FolioError([
      {
        file: OUTPUT_INTENT.icc,
        line: 0,
        column: 0,
        severity: 'error',
        message: 'The CMYK ICC profile for the PDF/X OutputIntent is missing',
        ruleId: 'pdfx-icc',
        hint: 'Run `bash scripts/setup.sh` (installs ghostscript and its ICC profiles).',
      },
    ]);
  }
  const dir = await makeTempDir('folio-pdfx-');
  try {
    const input = path.join(dir, 'press.pdf');
    const output = path.join(dir, 'pdfx.pdf');
    const def = path.join(dir, 'PDFX_def.ps');
    await writeFile(def, pdfxDef(meta));
    const epoch = String(Math.floor(meta.buildDate.getTime() / 1000));
    let images: PreparedImages | undefined;
    let boxes: PageBoxes[];
    let ranges: [number, number][] = [];
    let unicode: { font: string; map: Map<number, string> }[] = [];
    try {
      // one parse of the press PDF: its boxes, then links out and images in CMYK, one save
      const doc = await PDFDocument.load(press, { updateMetadata: false });
      boxes = pageBoxes(doc);
      removeAnnotations(doc);
      // ranges spelled out as single entries before Ghostscript reads them; the maps kept for afterwards
      const maps = toUnicodeFonts(doc);
      for (const [ref, { map }] of maps) doc.context.assign(ref, doc.context.flateStream(writeCMap(map)));
      unicode = [...maps.values()];
      // Bookmarks are the booklet's and the press PDF's; a page range of Ghostscript would keep only its own.
      doc.catalog.delete(PDFName.of('Outlines'));
      doc.catalog.delete(PDFName.of('PageMode'));
      const mode = opts.images ?? 'stand-ins';
      if (mode !== 'inline')
        images = await precomputeCmykImages(
          doc,
          GS_COLOUR,
          await ghostscriptVersion(),
          await readFile(OUTPUT_INTENT.icc),
          { placeholders: mode === 'stand-ins' },
        );
      await writeFile(input, await doc.save({ useObjectStreams: false, updateFieldAppearances: false }));
      // Ghostscript is one thread: a long book goes through it in page ranges side by side, joined by qpdf
      ranges = pageRanges(
        boxes.length,
        opts.parts ?? (boxes.length >= SPLIT_MIN_PAGES ? Math.min(2, availableParallelism()) : 1),
      );
      const outs = ranges.map((_, i) => (ranges.length === 1 ? output : path.join(dir, `part-${i}.pdf`)));
      await Promise.all(
        ranges.map(([first, last], i) =>
          run(
            'gs',
            [
              '-q',
              '-dBATCH',
              '-dNOPAUSE',
              '-dSAFER',
              '-dPDFX',
              ...GS_COLOUR,
              '-dEmbedAllFonts=true',
              '-dSubsetFonts=true',
              '-dAutoRotatePages=/None',
              '-dMaxInlineImageSize=0',
              ...(ranges.length > 1 ? [`-dFirstPage=${first}`, `-dLastPage=${last}`] : []),
              `-sOutputFile=${outs[i]}`,
              def,
              input,
            ],
            { env: { ...process.env, SOURCE_DATE_EPOCH: epoch }, maxBuffer: 16 * 2 ** 20 },
          ),
        ),
      );
      // the first part keeps its catalog (OutputIntent) and Info; the others give their pages
      if (ranges.length > 1)
        await run('qpdf', ['--warning-exit-0', outs[0]!, '--pages', '.', ...outs.slice(1), '--', output], {
          maxBuffer: 16 * 2 ** 20,
        });
    } catch (e) {
      const err = e as { code?: string; stderr?: string; message: string };
      throw new FolioError(
        [
          {
            file: 'press-pdfx',
            line: 0,
            column: 0,
            severity: 'error',
            message:
              err.code === 'ENOENT'
                ? 'Ghostscript (gs) or qpdf is not installed'
                : err.stderr !== undefined
                  ? `Ghostscript failed: ${firstLines(err.stderr || err.message)}`
                  : `The press PDF could not be prepared for Ghostscript: ${err.message}`,
            ruleId: 'pdfx-ghostscript',
            hint: 'Run `bash scripts/setup.sh` (installs ghostscript).',
          },
        ],
        1,
        { cause: e },
      );
    }
    let data: Uint8Array;
    try {
      data = await finishPdfx(boxes, await readFile(output), meta, images, ranges, unicode);
    } catch (e) {
      throw new FolioError(
        [
          {
            file: 'press-pdfx',
            line: 0,
            column: 0,
            severity: 'error',
            message: `Ghostscript's PDF/X could not be finished: ${(e as Error).message}`,
            ruleId: 'pdfx-finish',
            hint: 'A Folio fault: report it with the manuscript; the other outputs are fine with --target.',
          },
        ],
        1,
        { cause: e },
      );
    }
    const version = /\/GTS_PDFXVersion\s*\(([^)]+)\)/.exec(Buffer.from(data).toString('latin1'))?.[1] ?? 'unknown';
    const { restore: _, ...report } = images ?? { images: 0, hits: 0, skipped: 0, restore: undefined };
    return { data, version, images: report, parts: ranges.length };
  } finally {
    await rm(dir, { recursive: true, force: true });
    forgetTempDir(dir);
  }
}

function pdfxDef(meta: BookMeta): string {
  return `%!
% Generated by Folio from Ghostscript's lib/PDFX_def.ps.
[ /GTS_PDFXVersion (PDF/X-3:2002)
  /Title ${psText(meta.subtitle ? `${meta.title}——${meta.subtitle}` : meta.title)}
  /Author ${psText(meta.authors.join('、'))}
  /Trapped /False
/DOCINFO pdfmark
/ICCProfile (${OUTPUT_INTENT.icc}) def
[/_objdef {icc_PDFX} /type /stream /OBJ pdfmark
[{icc_PDFX} << /N 4 >> /PUT pdfmark
[{icc_PDFX} ICCProfile (r) file /PUT pdfmark
[/_objdef {OutputIntent_PDFX} /type /dict /OBJ pdfmark
[{OutputIntent_PDFX} <<
  /Type /OutputIntent
  /S /GTS_PDFX
  /OutputCondition (${OUTPUT_INTENT.condition})
  /Info (${OUTPUT_INTENT.condition})
  /OutputConditionIdentifier (${OUTPUT_INTENT.identifier})
  /RegistryName (http://www.color.org)
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
 * TrimBox and BleedBox set again from the press PDF (Ghostscript may normalise or drop them); XMP and a stable /ID.
 */
async function finishPdfx(
  src: PageBoxes[],
  pdfx: Uint8Array,
  meta: BookMeta,
  images: PreparedImages | undefined,
  ranges: [number, number][],
  unicode: { font: string; map: Map<number, string> }[],
): Promise<Uint8Array> {
  const doc = await PDFDocument.load(pdfx, { updateMetadata: false });
  images?.restore(doc);
  restoreToUnicode(doc, unicode);
  renameSharedSubsets(doc, ranges);
  const b = doc.getPages();
  if (src.length !== b.length) throw new Error(`PDF/X has ${b.length} pages, press PDF ${src.length}`);
  for (const [i, page] of b.entries()) {
    const origin = page.getMediaBox();
    // gs moves the origin to (0, 0): shift every box by the same amount
    const dx = origin.x - src[i]!.media.x;
    const dy = origin.y - src[i]!.media.y;
    for (const name of ['TrimBox', 'BleedBox'] as const) {
      const box = name === 'TrimBox' ? src[i]!.trim : src[i]!.bleed;
      const want = [box.x + dx, box.y + dy, box.x + dx + box.width, box.y + dy + box.height].map(
        (n) => Math.round(n * 1000) / 1000,
      );
      const have = page.node.lookupMaybe(PDFName.of(name), PDFArray)?.asRectangle();
      if (
        !have ||
        Math.abs(have.x - want[0]!) > 0.01 ||
        Math.abs(have.y - want[1]!) > 0.01 ||
        Math.abs(have.width - (want[2]! - want[0]!)) > 0.01 ||
        Math.abs(have.height - (want[3]! - want[1]!)) > 0.01
      ) {
        page.node.set(PDFName.of(name), doc.context.obj(want));
      }
    }
  }
  // PDF/X-3 output of Ghostscript is PDF 1.3 and carries no XMP: add the packet, with the PDF/X id
  setXmp(doc, meta, { creator: 'Folio (Ghostscript pdfwrite)', pdfx: 'PDF/X-3:2002' });
  // Ghostscript's /ID is not reproducible (its dates follow SOURCE_DATE_EPOCH): derive it from the content.
  const id = createHash('md5')
    .update(meta.contentHash)
    .update(meta.buildDate.toISOString())
    .update('press-pdfx')
    .digest('hex');
  doc.context.trailerInfo.ID = doc.context.obj([PDFHexString.of(id), PDFHexString.of(id)]);
  return doc.save({ useObjectStreams: false, updateFieldAppearances: false });
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
