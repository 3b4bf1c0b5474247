import { decodeProblem } from './decode.js';
import { decodeRef } from './paths.js';
import path from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { imageSize } from './png.js';
import { checkSvg } from './svg.js';

export type ImageKind = 'png' | 'jpeg' | 'gif' | 'webp' | 'svg';

const KIND_OF_EXT: Record<string, ImageKind> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.gif': 'gif',
  '.webp': 'webp',
  '.svg': 'svg',
};
const NAME: Record<ImageKind, string> = { png: 'PNG', jpeg: 'JPEG', gif: 'GIF', webp: 'WebP', svg: 'SVG' };

export const MAX_IMAGE_PIXELS = 60e6;
export const MAX_IMAGE_SIDE = 12_000;

/** What may stand before an XML document's root element: the declaration, then comments and a DOCTYPE. */
const XML_DECLARATION = /<\?xml[^>]*\?>\s*/.source;
const XML_MISC = /(?:<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>)\s*/.source;
/** The name of an XML document's root element (group 1). */
const SVG_ROOT = new RegExp(`^\\s*(?:${XML_DECLARATION})?(?:${XML_MISC})*<([\\w:.-]+)`, 'i');

/**
 * The real type of an image from its bytes (signatures; an SVG is XML text whose root is `<svg`),
 * never from its name.
 * @example sniffImage(readFileSync('a.png')) // 'png'
 */
export function sniffImage(bytes: Buffer): ImageKind | undefined {
  const raster = imageSize(bytes)?.type as ImageKind | undefined;
  if (raster) return raster;
  const head = bytes.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '');
  // the XML declaration, comments, a DOCTYPE may come first; then the root element must be svg
  const root = SVG_ROOT.exec(head);
  return root && /^(?:[\w.-]+:)?svg$/i.test(root[1]!) ? 'svg' : undefined;
}

/** What the bytes look like, for a message: "a PNG image", "text", "a PDF document", "unknown bytes". */
function describe(bytes: Buffer): string {
  const kind = sniffImage(bytes);
  if (kind) return `a ${NAME[kind]} image`;
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'a PDF document';
  if (bytes.subarray(0, 4).toString('latin1') === 'PK\u0003\u0004') return 'a ZIP archive';
  if (/^\s*<(!doctype html|html)/i.test(bytes.subarray(0, 256).toString('utf8'))) return 'an HTML document';
  const sample = bytes.subarray(0, 512);
  // eslint-disable-next-line no-control-regex -- binary bytes are the C0 controls other than whitespace
  return !/[\u0000-\u0008\u000e-\u001f]/.test(sample.toString('latin1')) ? 'text' : 'unknown bytes';
}

export interface ImageCheck {
  kind?: ImageKind;
  size?: { width: number; height: number };
  /** Problems at the reference (`at`) or, for an SVG, inside the SVG file. */
  problems: Diagnostic[];
}

/**
 * Validates an image a manuscript refers to: a supported extension, bytes of that very type (a PNG named
 * `.jpg`, a README named as the cover are errors), a readable and sane pixel size, and for SVG the
 * {@link checkSvg} rules. `accept` narrows the types (the EPUB cover must be PNG or JPEG).
 */
export function checkImage(
  bytes: Buffer,
  ref: string,
  at: { file: string; line: number; column: number },
  svgDisplay: string,
  accept: readonly ImageKind[] = ['png', 'jpeg', 'gif', 'webp', 'svg'],
): ImageCheck {
  const err = (message: string, ruleId: string, hint: string): ImageCheck => ({
    problems: [{ ...at, severity: 'error', message, ruleId, hint }],
  });
  const ext = path.extname(decodeRef(ref)).toLowerCase();
  const named = KIND_OF_EXT[ext];
  const kind = sniffImage(bytes);
  const list = accept.map((k) => NAME[k]).join(', ');
  if (!named || !accept.includes(named)) {
    return err(`Image type ${ext || '(no extension)'} is not accepted here: ${ref}`, 'image-type', `Use ${list}.`);
  }
  if (bytes.length === 0)
    return err(
      `Image file is empty (0 bytes): ${ref}`,
      'image-empty',
      'Nothing was saved in it (an export or copy that did not finish): copy or export the image again.',
    );
  if (!kind) {
    return err(
      `Image is not a readable PNG, JPEG, GIF or WebP: ${ref}`,
      'image-corrupt',
      `Its bytes are ${describe(bytes)}, not ${NAME[named]}: re-export the image; the file may be truncated.`,
    );
  }
  if (kind !== named) {
    return err(
      `Image is ${describe(bytes)} but its name says ${ext}: ${ref}`,
      'image-type-mismatch',
      `Rename it to .${kind === 'jpeg' ? 'jpg' : kind}, or re-export it as ${NAME[named]}.`,
    );
  }
  if (kind === 'svg') return checkSvgImage(bytes, at, svgDisplay);
  return checkRaster(bytes, ref, at, kind);
}

function checkSvgImage(bytes: Buffer, at: { file: string; line: number }, svgDisplay: string): ImageCheck {
  const used = `(figure at ${at.file}:${at.line})`;
  const problems = checkSvg(bytes.toString('utf8')).map(
    (p): Diagnostic => ({ file: svgDisplay, ...p, message: `${p.message} ${used}`, severity: 'error' }),
  );
  return { kind: 'svg', size: { width: 1, height: 1 }, problems };
}

function checkRaster(
  bytes: Buffer,
  ref: string,
  at: { file: string; line: number; column: number },
  kind: ImageKind,
): ImageCheck {
  const size = imageSize(bytes)!;
  if (size.width === 0 || size.height === 0) {
    return {
      problems: [
        {
          ...at,
          severity: 'error',
          message: `Image is not a readable ${NAME[kind]}: ${ref}`,
          ruleId: 'image-corrupt',
          hint: 'Re-export the image; the file may be truncated or have the wrong extension.',
        },
      ],
    };
  }
  if (size.width * size.height > MAX_IMAGE_PIXELS || Math.max(size.width, size.height) > MAX_IMAGE_SIDE) {
    return {
      problems: [
        {
          ...at,
          severity: 'error',
          message: `Image is ${size.width} × ${size.height} px, far larger than any page needs: ${ref}`,
          ruleId: 'image-too-large',
          hint:
            'Downscale it: 300 ppi at the printed size is enough (an A5 page is 1748 × 2480 px); the limit is ' +
            `${MAX_IMAGE_SIDE} px a side and ${MAX_IMAGE_PIXELS / 1e6} megapixels.`,
        },
      ],
    };
  }
  const broken = decodeProblem(bytes, kind);
  if (broken)
    return {
      problems: [
        {
          ...at,
          severity: 'error',
          message: `Image cannot be decoded fully: ${ref}: ${broken.problem}`,
          ruleId: broken.ruleId,
          hint:
            broken.ruleId === 'image-truncated'
              ? 'Copy or export the image again; the file is incomplete and would print in part.'
              : 'Copy or export the image again; the file is damaged and would print with garbled pixels.',
        },
      ],
    };
  return { kind, size, problems: [] };
}
