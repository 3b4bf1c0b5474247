import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFRef,
  type PDFPage,
  PDFStream,
  PDFString,
} from 'pdf-lib';
import type { Diagnostic, Severity } from '../diagnostics/diagnostic.js';
import type { Position } from '../diagnostics/position.js';
import { MM } from '../render/geometry.js';
import { type InkPeak, inkPeaks, ONE_INK_BELOW, type PageArea, smallTypeInInks } from './ink.js';
import { type FontRow, type ImageRow, listFonts, listImages, listWords, type Word } from './poppler.js';
import { type TextRun, traceText } from './trace.js';
import { decodeStream } from '../pdf/zlib.js';

/** What the build knows about the pages: which figure sits where, from which manuscript line. */
export interface Layout {
  trim: { width: number; height: number };
  bleed: number;
  safe: number;
  pages: number;
  figures: { id: string; page: number; source: Position; file: string; fpo: boolean }[];
  /** The front cover's image: its page and where book.yaml names it. */
  cover?: { page: number; source: Position; file: string };
  /** Total area coverage limit, % (book.yaml press.maxInk). */
  maxInk?: number;
  /** How the book is identified for print: an ISBN (书号) or an internal publication's 准印证号. */
  identification?: { isbn?: string; permit?: string };
}

export interface PreflightFile {
  target: 'press' | 'press-pdfx' | 'imposed';
  /** Absolute path of the PDF to check. */
  path: string;
  /** Name shown in the report. */
  file: string;
}

export interface Finding extends Diagnostic {
  target: string;
  page?: number;
}

/** Why a press build is a proof and not a print file. */
export interface Blocker {
  rule: 'placeholders' | 'identification' | 'rgb' | 'errors';
  message: string;
}

export interface PreflightReport {
  summary: {
    errors: number;
    warnings: number;
    infos: number;
    passed: boolean;
    /** `print-ready`, or `proof only` with the blockers that prevent print. */
    verdict: 'print-ready' | 'proof only';
    blockers: Blocker[];
  };
  files: { target: string; file: string; pages: number; pdfx?: string; checks: string[] }[];
  findings: Finding[];
}

const near = (a: number, b: number, tol = 0.05) => Math.abs(a - b) <= tol;

/**
 * Checks the press files a print shop receives: boxes and bleed, fonts, colour spaces and inks,
 * image resolution at placed size, text in the safe area, page count for saddle stitching; then
 * says whether they are print-ready or a proof.
 * @example const report = await preflight(files, layout); report.summary.verdict
 */
export async function preflight(files: PreflightFile[], layout: Layout): Promise<PreflightReport> {
  return combineReports(await Promise.all(files.map((f) => preflightFile(f, layout))), layout);
}

/** One file's findings and summary line; files are independent, so they can be checked side by side. */
export interface FileCheck {
  file: PreflightReport['files'][number];
  findings: Finding[];
}

/** The report of several files, in the order given, with the verdict. */
export function combineReports(parts: FileCheck[], layout: Layout): PreflightReport {
  const findings = parts.flatMap((p) => p.findings);
  const count = (sev: Severity) => findings.filter((x) => x.severity === sev).length;
  const errors = count('error');
  const blockers = verdictBlockers(parts, layout, errors);
  return {
    summary: {
      errors,
      warnings: count('warning'),
      infos: count('info'),
      passed: errors === 0,
      verdict: blockers.length ? 'proof only' : 'print-ready',
      blockers,
    },
    files: parts.map((p) => p.file),
    findings,
  };
}

/** What keeps the files from the press: placeholders, no 书号/准印证号, no CMYK file, preflight errors. */
function verdictBlockers(parts: FileCheck[], layout: Layout, errors: number): Blocker[] {
  const blockers: Blocker[] = [];
  const fpo = layout.figures.filter((g) => g.fpo);
  if (fpo.length)
    blockers.push({
      rule: 'placeholders',
      message: `${fpo.length} FPO placeholder${fpo.length > 1 ? 's' : ''} instead of photos: ${fpo
        .map((g) => `${path.basename(g.file)} (${g.source.file}:${g.source.line})`)
        .join(', ')}`,
    });
  if (!layout.identification?.isbn && !layout.identification?.permit)
    blockers.push({
      rule: 'identification',
      message: 'no 书号 (ISBN, book.yaml identifier) and no 准印证号 (book.yaml imprint.permit)',
    });
  const pdfx = parts.filter((p) => p.file.target === 'press-pdfx');
  const rgb = parts.filter((p) => p.findings.some((x) => x.ruleId === 'preflight-rgb' && x.severity === 'error'));
  if (!pdfx.length)
    blockers.push({ rule: 'rgb', message: 'RGB only: no CMYK PDF/X was checked (build --target press-pdfx)' });
  else if (rgb.length)
    blockers.push({ rule: 'rgb', message: `RGB colour in ${rgb.map((p) => p.file.file).join(', ')}` });
  if (errors) blockers.push({ rule: 'errors', message: `${errors} preflight error${errors > 1 ? 's' : ''}` });
  return blockers;
}

type Add = (
  severity: Severity,
  ruleId: string,
  message: string,
  extra?: { page?: number; source?: Position; hint?: string },
) => void;

/** One file under check: its pdf-lib document, its pages, and where findings go. */
interface Checked {
  f: PreflightFile;
  layout: Layout;
  doc: PDFDocument;
  bytes: Buffer;
  pages: PDFPage[];
  add: Add;
  checks: string[];
}

/** Checks one press file (see preflight). */
export async function preflightFile(f: PreflightFile, layout: Layout): Promise<FileCheck> {
  const findings: Finding[] = [];
  const add: Add = (severity, ruleId, message, extra = {}) => {
    findings.push({
      target: f.target,
      ...(extra.source ?? { file: f.file, line: 0, column: 0 }),
      severity,
      ruleId,
      message: `${f.file}${extra.page ? ` page ${extra.page}` : ''}: ${message}`,
      page: extra.page,
      ...(extra.hint ? { hint: extra.hint } : {}),
    });
  };
  // poppler and mutool (trace; the ink render, the longest) read the file while pdf-lib parses it
  const loaded = readFile(f.path).then(async (bytes) => ({
    bytes,
    doc: await PDFDocument.load(bytes, { updateMetadata: false }),
  }));
  loaded.catch(() => {}); // awaited below
  const ink =
    f.target !== 'press'
      ? inkPeaks(
          f.path,
          loaded.then(({ doc }) => pageAreas(doc)),
        )
      : undefined;
  ink?.catch(() => {}); // awaited in checkInk
  const tools = Promise.all([
    listFonts(f.path),
    listImages(f.path),
    f.target !== 'imposed' ? listWords(f.path) : Promise.resolve([]),
    f.target !== 'press' ? traceText(f.path) : Promise.resolve([]),
  ]);
  tools.catch(() => {});
  const { bytes, doc } = await loaded;
  const [allFonts, images, wordsByPage, runs] = await tools;
  const c: Checked = { f, layout, doc, bytes, pages: doc.getPages(), add, checks: [] };
  checkBoxes(c);
  await checkFonts(c, allFonts);
  const pdfx = checkColour(c);
  if (ink) await checkInk(c, runs, await ink);
  checkImages(c, images);
  if (f.target !== 'imposed') checkSafeArea(c, wordsByPage);
  checkPageCount(c);
  return { file: { target: f.target, file: f.file, pages: c.pages.length, pdfx, checks: c.checks }, findings };
}

const boxOf = (p: PDFPage, name: string) => p.node.lookupMaybe(PDFName.of(name), PDFArray)?.asRectangle();

function checkBoxes({ f, layout, pages, add, checks }: Checked): void {
  const trimW = f.target === 'imposed' ? undefined : layout.trim.width * MM;
  const trimH = f.target === 'imposed' ? undefined : layout.trim.height * MM;
  const bleed = layout.bleed * MM;
  for (const [i, p] of pages.entries()) {
    const n = i + 1;
    const media = p.getMediaBox();
    const trim = boxOf(p, 'TrimBox');
    const bl = boxOf(p, 'BleedBox');
    if (!trim) {
      add('error', 'preflight-trimbox', 'no TrimBox', {
        page: n,
        hint: 'Press PDFs must state the trim on every page.',
      });
      continue;
    }
    if (trimW !== undefined && trimH !== undefined && (!near(trim.width, trimW) || !near(trim.height, trimH)))
      add(
        'error',
        'preflight-trimbox',
        `TrimBox is ${(trim.width / MM).toFixed(2)} × ${(trim.height / MM).toFixed(2)} mm, ` +
          `expected ${layout.trim.width} × ${layout.trim.height} mm`,
        { page: n },
      );
    if (!bl) {
      add('error', 'preflight-bleedbox', 'no BleedBox', { page: n });
      continue;
    }
    const sides = [
      trim.x - bl.x,
      trim.y - bl.y,
      bl.x + bl.width - trim.x - trim.width,
      bl.y + bl.height - trim.y - trim.height,
    ];
    if (sides.some((s) => !near(s, bleed, 0.35)))
      add(
        'error',
        'preflight-bleed',
        `bleed is ${sides.map((s) => (s / MM).toFixed(2)).join('/')} mm (left/bottom/right/top), ` +
          `expected ${layout.bleed} mm`,
        { page: n },
      );
    const outside =
      bl.x < media.x - 0.01 ||
      bl.y < media.y - 0.01 ||
      bl.x + bl.width > media.x + media.width + 0.01 ||
      bl.y + bl.height > media.y + media.height + 0.01;
    if (outside) add('error', 'preflight-mediabox', 'MediaBox does not contain the BleedBox', { page: n });
  }
  checks.push(
    `boxes: TrimBox ${f.target === 'imposed' ? 'sheet' : `${layout.trim.width} × ${layout.trim.height} mm`}, ` +
      `BleedBox +${layout.bleed} mm, MediaBox ⊇ BleedBox on ${pages.length} pages`,
  );
}

/** Fonts: one pass over the file; only a problem is traced to its pages. */
async function checkFonts({ f, pages, add, checks }: Checked, allFonts: FontRow[]): Promise<void> {
  if (allFonts.some((x) => !x.embedded || /Type 3/.test(x.type))) {
    for (let n = 1; n <= pages.length; n++) {
      for (const font of await listFonts(f.path, n)) {
        if (!font.embedded)
          add('error', 'preflight-font-embedded', `font ${font.name} is not embedded`, {
            page: n,
            hint: 'Use the pinned TrueType fonts; never a system or base-14 font.',
          });
        if (/Type 3/.test(font.type))
          add(
            'error',
            'preflight-font-type3',
            `font ${font.name} is Type 3 (bitmap/procedure fonts are refused by RIPs)`,
            {
              page: n,
              hint: 'Use TrueType-outline fonts (@fontsource/noto-*-sc), not CFF/OTF.',
            },
          );
      }
    }
  }
  checks.push(`fonts: ${allFonts.length} embedded fonts checked, none Type 3`);
}

/** Colour spaces: RGB is an error in the CMYK files; the PDF/X's version, header and OutputIntent. */
function checkColour({ f, doc, bytes, add, checks }: Checked): string | undefined {
  const rgb = findRgb(doc);
  if (f.target === 'press') {
    if (rgb.length)
      add('info', 'preflight-rgb', `RGB colour (${rgb.length} uses); the press-pdfx file is the CMYK version`);
    checks.push(`colour: ${rgb.length ? 'RGB (allowed here; the PDF/X variant is CMYK)' : 'no RGB'}`);
    return undefined;
  }
  for (const where of rgb)
    add('error', 'preflight-rgb', `RGB colour in a CMYK press file (${where})`, {
      hint: 'The PDF/X conversion must turn every colour into CMYK; the imposition is made from the PDF/X.',
    });
  const intents = doc.catalog.lookupMaybe(PDFName.of('OutputIntents'), PDFArray);
  if (f.target === 'imposed') {
    checks.push(`colour: ${rgb.length ? `${rgb.length} RGB uses` : 'no RGB'}; OutputIntent ${intents?.size() ?? 0}`);
    return undefined;
  }
  const text = bytes.toString('latin1');
  const version = /\/GTS_PDFXVersion\s*\(([^)]+)\)/.exec(text)?.[1];
  const header = /^%PDF-(\d\.\d)/.exec(text)?.[1];
  if (!version) add('error', 'preflight-pdfx', 'no GTS_PDFXVersion');
  else if (/^PDF\/X-(1a|3):200[12]$/.test(version) && header !== '1.3')
    add('error', 'preflight-pdfx', `${version} is based on PDF 1.3, but the header says %PDF-${header}`);
  if (!/\/Trapped\s*\/(True|False)/.test(text)) add('error', 'preflight-pdfx', 'Info /Trapped is not True or False');
  const intent = intents?.size() ? intents.lookup(0, PDFDict) : undefined;
  const idObj = intent?.lookup(PDFName.of('OutputConditionIdentifier'));
  const id = idObj instanceof PDFString || idObj instanceof PDFHexString ? idObj.decodeText() : undefined;
  if (!intent) add('error', 'preflight-output-intent', 'no OutputIntent');
  else if (!id || !intent.has(PDFName.of('DestOutputProfile')))
    add('error', 'preflight-output-intent', 'the OutputIntent has no OutputConditionIdentifier or no ICC profile');
  checks.push(
    `colour: ${rgb.length ? `${rgb.length} RGB uses` : 'no RGB'}; ${version ?? 'no PDF/X version'} ` +
      `(%PDF-${header}); OutputIntent ${id ?? 'none'}`,
  );
  return version;
}

/** Each page as MuPDF draws it (CropBox, else MediaBox), printed area (BleedBox, else TrimBox) and TrimBox. */
const pageAreas = (doc: PDFDocument): PageArea[] =>
  doc.getPages().map((p) => {
    const media = p.getMediaBox();
    const trim = boxOf(p, 'TrimBox') ?? media;
    return { drawn: p.getCropBox(), trim, bleed: boxOf(p, 'BleedBox') ?? trim };
  });

/** Inks: small type in one ink; total area coverage within press.maxInk, with page and position. */
function checkInk({ doc, layout, add, checks }: Checked, runs: TextRun[], peaks: InkPeak[]): void {
  const areas = pageAreas(doc);
  for (const x of smallTypeInInks(runs, areas))
    add(
      'error',
      'preflight-small-type-inks',
      `${x.glyphs} glyphs of ${x.size} pt text ("${x.text.slice(0, 12)}") in ${x.inks}, ` +
        `at ${x.x.toFixed(0)} mm, ${x.y.toFixed(0)} mm from the trim's top-left: ` +
        `text under ${ONE_INK_BELOW} pt must be one ink`,
      {
        page: x.page,
        hint: 'Set small text in black or a grey (neutral colours print as K only), not a brand colour.',
      },
    );
  const max = layout.maxInk ?? 300;
  for (const p of peaks.filter((q) => q.percent > max))
    add(
      'error',
      'preflight-ink-limit',
      `total ink ${p.percent} % at ${p.x} mm, ${p.y} mm from the trim's top-left (limit ${max} %)`,
      { page: p.page, hint: 'Lighten the colour or image there, or raise press.maxInk if the printer allows it.' },
    );
  const glyphs = runs.reduce((n, r) => n + r.glyphs, 0);
  const peak = peaks.reduce((m, q) => Math.max(m, q.percent), 0);
  checks.push(
    `inks: ${glyphs} glyphs traced, text under ${ONE_INK_BELOW} pt in one ink; ` +
      `total area coverage at most ${peak} % (limit ${max} %)`,
  );
}

/** Images at their placed size; FPO placeholders named with their manuscript line. */
function checkImages({ f, layout, add, checks }: Checked, images: ImageRow[]): void {
  for (const img of images) {
    const onPage = f.target === 'imposed' ? [] : layout.figures.filter((g) => g.page === img.page);
    const nth = images.filter((o) => o.page === img.page && o.index < img.index).length;
    const cover = f.target !== 'imposed' && img.page === layout.cover?.page ? layout.cover : undefined;
    const fig = onPage[nth] ?? (cover && { ...cover, fpo: false });
    const ppi = Math.min(img.xppi, img.yppi);
    const what = fig
      ? `image ${path.basename(fig.file)} (${img.width} × ${img.height} px)`
      : `image ${img.index} (${img.width} × ${img.height} px)`;
    const at = { page: img.page, source: fig?.source };
    if (fig?.fpo)
      add('warning', 'preflight-fpo', `${what} is an FPO placeholder, not the photo (${ppi} ppi)`, {
        ...at,
        hint: `Replace ${path.basename(fig.file)} with the real photo before printing.`,
      });
    if (ppi < 150)
      add('error', 'preflight-resolution', `${what} is ${ppi} ppi at its placed size (< 150)`, {
        ...at,
        hint: 'Supply the image at ≥ 300 ppi for its printed size, or place it smaller.',
      });
    else if (ppi < 300)
      add('warning', 'preflight-resolution', `${what} is ${ppi} ppi at its placed size (< 300)`, {
        ...at,
        hint: 'Supply the image at ≥ 300 ppi for its printed size.',
      });
  }
  checks.push(`images: ${images.length} checked for effective resolution`);
}

/** Text inside the safe area (press files: the trim inset by press.safe). */
function checkSafeArea({ layout, pages, add, checks }: Checked, wordsByPage: Word[][]): void {
  const safe = layout.safe * MM;
  let words = 0;
  for (const [i, p] of pages.entries()) {
    const trim = boxOf(p, 'TrimBox');
    const crop = boxOf(p, 'CropBox') ?? p.getMediaBox();
    if (!trim) continue;
    // pdftotext measures from the top-left of the CropBox
    const t = {
      x0: trim.x - crop.x,
      x1: trim.x + trim.width - crop.x,
      y0: crop.y + crop.height - trim.y - trim.height,
      y1: crop.y + crop.height - trim.y,
    };
    for (const w of wordsByPage[i] ?? []) {
      const inside = w.x1 > t.x0 && w.x0 < t.x1 && w.y1 > t.y0 && w.y0 < t.y1;
      if (!inside) continue; // the slug line and marks live outside the trim by design
      words++;
      const margin = Math.min(w.x0 - t.x0, t.x1 - w.x1, w.y0 - t.y0, t.y1 - w.y1);
      if (margin < 0)
        add('error', 'preflight-text-trim', `text "${w.text.slice(0, 20)}" crosses the trim`, { page: i + 1 });
      else if (margin < safe - 0.01)
        add(
          'warning',
          'preflight-safe-area',
          `text "${w.text.slice(0, 20)}" is ${(margin / MM).toFixed(1)} mm from the trim (safe area ${layout.safe} mm)`,
          { page: i + 1 },
        );
    }
  }
  checks.push(`safe area: ${words} words at least ${layout.safe} mm inside the trim`);
}

/** Page count for saddle stitching. */
function checkPageCount({ f, pages, add }: Checked): void {
  if (f.target === 'imposed' || pages.length % 4 === 0) return;
  add(
    'warning',
    'preflight-page-count',
    `${pages.length} pages is not a multiple of 4: ` +
      `the imposition adds ${(4 - (pages.length % 4)) % 4} blank pages before the back cover`,
  );
}

/** Every place a PDF uses RGB: colour-space objects, images, and rg/RG operators in content streams. */
function findRgb(doc: PDFDocument): string[] {
  const found = new Set<string>();
  const isRgb = (cs: unknown, depth = 0): boolean => {
    if (depth > 4 || cs === undefined) return false;
    if (cs instanceof PDFRef) return isRgb(doc.context.lookup(cs), depth + 1);
    if (cs instanceof PDFName) return cs.asString() === '/DeviceRGB' || cs.asString() === '/CalRGB';
    if (cs instanceof PDFArray) {
      const kind = cs.get(0);
      const k = kind instanceof PDFName ? kind.asString() : '';
      if (k === '/ICCBased') {
        const s = doc.context.lookup(cs.get(1));
        const n = s instanceof PDFStream ? s.dict.lookupMaybe(PDFName.of('N'), PDFNumber)?.asNumber() : undefined;
        return n === 3;
      }
      if (k === '/Indexed') return isRgb(cs.get(1), depth + 1);
      if (k === '/CalRGB') return true;
    }
    return false;
  };
  for (const [ref, obj] of doc.context.enumerateIndirectObjects()) {
    const dict = obj instanceof PDFStream ? obj.dict : obj instanceof PDFDict ? obj : undefined;
    if (!dict) continue;
    const subtype = dict.lookupMaybe(PDFName.of('Subtype'), PDFName)?.asString();
    if (subtype === '/Image' && isRgb(dict.get(PDFName.of('ColorSpace'))))
      found.add(`image object ${ref.objectNumber}`);
    const resources = subtype === '/Image' ? undefined : dict.lookup(PDFName.of('ColorSpace'));
    if (resources instanceof PDFDict)
      for (const [name, cs] of resources.entries()) if (isRgb(cs)) found.add(`colour space ${name.asString()}`);
    if (obj instanceof PDFRawStream && !subtype && !dict.has(PDFName.of('Type'))) {
      try {
        const text = Buffer.from(decodeStream(obj)).toString('latin1');
        if (/(^|\s)[\d.]+\s+[\d.]+\s+[\d.]+\s+(rg|RG)(?=\s)/.test(text))
          found.add(`content stream ${ref.objectNumber} (rg/RG operators)`);
      } catch {
        /* not a content stream we can decode */
      }
    }
  }
  return [...found];
}
