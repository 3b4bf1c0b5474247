import { deflateSync, inflateSync } from 'node:zlib';
import {
  decodePDFRawStream,
  PDFFlateStream,
  PDFName,
  type PDFDocument,
  type PDFObject,
  PDFRawStream,
  type PDFRef,
} from 'pdf-lib';

// pdf-lib compresses and decompresses streams in JavaScript (pako, and its own FlateStream): at 600 pages
// ~0.9 s of deflate (a pako state of 64 KiB set up for every small content stream of marks) and ~0.3 s of
// inflate on the build's main thread. Node's zlib does the same work in C.

type SaveOptions = Parameters<PDFDocument['save']>[0];

/**
 * `doc.save()` with every stream pdf-lib made and would deflate itself (drawn content: marks, slugs,
 * imposition) deflated by Node's zlib instead. The document is left as it was: the streams are swapped
 * back after the save, so later drawing on a page still goes to its content stream.
 */
export async function saveDeflated(doc: PDFDocument, options?: SaveOptions): Promise<Uint8Array> {
  const swapped: [PDFRef, PDFObject][] = [];
  for (const [ref, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFFlateStream) || obj.dict.get(PDFName.of('Filter')) !== PDFName.of('FlateDecode')) continue;
    const raw = PDFRawStream.of(obj.dict.clone(doc.context), deflateSync(obj.getUnencodedContents()));
    doc.context.assign(ref, raw);
    swapped.push([ref, obj]);
  }
  try {
    return await doc.save(options);
  } finally {
    for (const [ref, obj] of swapped) doc.context.assign(ref, obj);
  }
}

/** A stream's decoded bytes: Node's zlib for a plain FlateDecode stream, pdf-lib's decoders for any other. */
export function decodeStream(stream: PDFRawStream): Uint8Array {
  const filter = stream.dict.get(PDFName.of('Filter'));
  if (filter === PDFName.of('FlateDecode') && !stream.dict.get(PDFName.of('DecodeParms'))) {
    try {
      return inflateSync(stream.contents);
    } catch {
      // a damaged or truncated stream: pdf-lib's decoder is as lenient as before
    }
  }
  return decodePDFRawStream(stream).decode();
}
