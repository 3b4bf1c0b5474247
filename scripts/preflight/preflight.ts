import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFRef,
  PDFStream,
} from 'pdf-lib';
import type { Diagnostic, Severity } from '../diagnostics/diagnostic.js';
import type { Position } from '../diagnostics/position.js';
import { MM } from '../render/geometry.js';
import { listFonts, listImages, listWords } from './poppler.js';

/** What the build knows about the pages: which figure sits where, from which manuscript line. */
export interface Layout {
  trim: { width: number; height: number };
  bleed: number;
  safe: number;
  pages: number;
  figures: { id: string; page: number; source: Position; file: string; fpo: boolean }[];
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

export interface PreflightReport {
  summary: { errors: number; warnings: number; infos: number; passed: boolean };
  files: { target: string; file: string; pages: number; pdfx?: string; checks: string[] }[];
  findings: Finding[];
}

const near = (a: number, b: number, tol = 0.05) => Math.abs(a - b) <= tol;

/**
 * Checks the press files a print shop receives: boxes and bleed, fonts, colour spaces, image
 * resolution at placed size, text in the safe area, page count for saddle stitching.
 * @example const report = await preflight(files, layout); report.summary.passed
 */
export async function preflight(files: PreflightFile[], layout: Layout): Promise<PreflightReport> {
  return combineReports(await Promise.all(files.map((f) => preflightFile(f, layout))));
}

/** One file's findings and summary line; files are independent, so they can be checked side by side. */
export interface FileCheck {
  file: PreflightReport['files'][number];
  findings: Finding[];
}

/** The report of several files, in the order given. */
export function combineReports(parts: FileCheck[]): PreflightReport {
  const findings = parts.flatMap((p) => p.findings);
  const report: PreflightReport = {
    summary: { errors: 0, warnings: 0, infos: 0, passed: true },
    files: parts.map((p) => p.file),
    findings,
  };
  for (const x of findings)
    report.summary[x.severity === 'error' ? 'errors' : x.severity === 'warning' ? 'warnings' : 'infos']++;
  report.summary.passed = report.summary.errors === 0;
  return report;
}

/** Checks one press file (see preflight). */
export async function preflightFile(f: PreflightFile, layout: Layout): Promise<FileCheck> {
  const findings: Finding[] = [];
  let fileReport: PreflightReport['files'][number];
  const checks: string[] = [];
  const add = (
    severity: Severity,
    ruleId: string,
    message: string,
    extra: { page?: number; source?: Position; hint?: string } = {},
  ) => {
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
  // poppler reads the file while pdf-lib parses it
  const poppler = Promise.all([
    listFonts(f.path),
    listImages(f.path),
    f.target !== 'imposed' ? listWords(f.path) : Promise.resolve([]),
  ]);
  poppler.catch(() => {});
  const bytes = await readFile(f.path);
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const [allFonts, images, wordsByPage] = await poppler;
  const pages = doc.getPages();
  const box = (p: (typeof pages)[number], name: string) => {
    const a = p.node.lookupMaybe(PDFName.of(name), PDFArray);
    return a ? a.asRectangle() : undefined;
  };

  // --- boxes and bleed
  const trimW = f.target === 'imposed' ? undefined : layout.trim.width * MM;
  const trimH = f.target === 'imposed' ? undefined : layout.trim.height * MM;
  const bleed = layout.bleed * MM;
  for (const [i, p] of pages.entries()) {
    const n = i + 1;
    const media = p.getMediaBox();
    const trim = box(p, 'TrimBox');
    const bl = box(p, 'BleedBox');
    if (!trim) {
      add('error', 'preflight-trimbox', 'no TrimBox', {
        page: n,
        hint: 'Press PDFs must state the trim on every page.',
      });
      continue;
    }
    if (trimW !== undefined && trimH !== undefined && (!near(trim.width, trimW) || !near(trim.height, trimH))) {
      add(
        'error',
        'preflight-trimbox',
        `TrimBox is ${(trim.width / MM).toFixed(2)} × ${(trim.height / MM).toFixed(2)} mm, ` +
          `expected ${layout.trim.width} × ${layout.trim.height} mm`,
        { page: n },
      );
    }
    if (!bl) add('error', 'preflight-bleedbox', 'no BleedBox', { page: n });
    else {
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
      if (
        bl.x < media.x - 0.01 ||
        bl.y < media.y - 0.01 ||
        bl.x + bl.width > media.x + media.width + 0.01 ||
        bl.y + bl.height > media.y + media.height + 0.01
      )
        add('error', 'preflight-mediabox', 'MediaBox does not contain the BleedBox', { page: n });
    }
  }
  checks.push(
    `boxes: TrimBox ${f.target === 'imposed' ? 'sheet' : `${layout.trim.width} × ${layout.trim.height} mm`}, ` +
      `BleedBox +${layout.bleed} mm, MediaBox ⊇ BleedBox on ${pages.length} pages`,
  );

  // --- fonts: one pass over the file; only a problem is traced to its pages
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
            { page: n, hint: 'Use TrueType-outline fonts (@fontsource/noto-*-sc), not CFF/OTF.' },
          );
      }
    }
  }
  checks.push(`fonts: ${allFonts.length} embedded fonts checked, none Type 3`);

  // --- colour
  const rgb = findRgb(doc);
  if (f.target === 'press-pdfx') {
    for (const where of rgb)
      add('error', 'preflight-rgb', `RGB colour in a PDF/X file (${where})`, {
        hint: 'The PDF/X conversion must turn every colour into CMYK.',
      });
    const version = /\/GTS_PDFXVersion\s*\(([^)]+)\)/.exec(bytes.toString('latin1'))?.[1];
    if (!version) add('error', 'preflight-pdfx', 'no GTS_PDFXVersion');
    const intents = doc.catalog.lookupMaybe(PDFName.of('OutputIntents'), PDFArray);
    if (!intents || intents.size() === 0) add('error', 'preflight-output-intent', 'no OutputIntent');
    checks.push(`colour: no RGB; ${version ?? 'no PDF/X version'}; OutputIntent ${intents?.size() ?? 0}`);
    fileReport = { target: f.target, file: f.file, pages: pages.length, pdfx: version, checks };
  } else {
    if (rgb.length)
      add('info', 'preflight-rgb', `RGB colour (${rgb.length} uses); the press-pdfx file is the CMYK version`);
    checks.push(`colour: ${rgb.length ? 'RGB (allowed here; the PDF/X variant is CMYK)' : 'no RGB'}`);
    fileReport = { target: f.target, file: f.file, pages: pages.length, checks };
  }

  // --- images at their placed size
  for (const img of images) {
    const onPage = f.target === 'imposed' ? [] : layout.figures.filter((g) => g.page === img.page);
    const nth = images.filter((o) => o.page === img.page && o.index < img.index).length;
    const fig = onPage[nth];
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

  // --- text inside the safe area (press files: the trim inset by press.safe)
  if (f.target !== 'imposed') {
    const safe = layout.safe * MM;
    let words = 0;
    for (const [i, p] of pages.entries()) {
      const trim = box(p, 'TrimBox');
      const crop = box(p, 'CropBox') ?? p.getMediaBox();
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
            `text "${w.text.slice(0, 20)}" is ${(margin / MM).toFixed(1)} mm from the trim ` +
              `(safe area ${layout.safe} mm)`,
            { page: i + 1 },
          );
      }
    }
    checks.push(`safe area: ${words} words at least ${layout.safe} mm inside the trim`);
  }

  // --- page count for saddle stitching
  if (f.target !== 'imposed' && pages.length % 4 !== 0) {
    add(
      'warning',
      'preflight-page-count',
      `${pages.length} pages is not a multiple of 4: ` +
        `the imposition adds ${(4 - (pages.length % 4)) % 4} blank pages before the back cover`,
    );
  }
  return { file: fileReport, findings };
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
        const text = Buffer.from(decodePDFRawStream(obj).decode()).toString('latin1');
        if (/(^|\s)[\d.]+\s+[\d.]+\s+[\d.]+\s+(rg|RG)(?=\s)/.test(text))
          found.add(`content stream ${ref.objectNumber} (rg/RG operators)`);
      } catch {
        /* not a content stream we can decode */
      }
    }
  }
  return [...found];
}
