// A place in the manuscript. Every stage passes positions as this type; the one string form is the
// `data-src` attribute the model writes on each block of the HTML ("file:line"), read back by the
// checks that run on the laid-out pages — `toDataSrc` and `fromDataSrc` are its only writer and reader.

export interface Position {
  /** Path as shown in diagnostics (relative to the working directory). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based; 0 when the problem concerns the whole file or output. */
  column: number;
}

/** `file:line:col`, as diagnostics print it. */
export function formatPosition(p: Position): string {
  return `${p.file}:${p.line}:${p.column}`;
}

/** The `data-src` attribute of a block: `file:line` (blocks start at column 1). */
export function toDataSrc(p: Position): string {
  return `${p.file}:${p.line}`;
}

/** A block's position from its `data-src` attribute; the file name may itself contain colons. */
export function fromDataSrc(src: string): Position {
  const m = /^(.*):(\d+)$/.exec(src);
  return m ? { file: m[1]!, line: Number(m[2]), column: 1 } : { file: src, line: 0, column: 0 };
}
