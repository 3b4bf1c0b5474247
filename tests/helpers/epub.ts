import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import JSZip from 'jszip';

export interface EpubFile {
  bytes: Buffer;
  names: string[];
  text(name: string): Promise<string>;
}

export async function openEpub(file: string): Promise<EpubFile> {
  const bytes = readFileSync(file);
  const zip = await JSZip.loadAsync(bytes);
  return { bytes, names: Object.keys(zip.files), text: (name) => zip.file(name)!.async('string') };
}

/** epubcheck (Debian's package): the summary counts and every message line. */
export function epubcheck(file: string): {
  fatals: number;
  errors: number;
  warnings: number;
  infos: number;
  output: string;
  status: number | null;
} {
  const r = spawnSync('java', ['-jar', '/usr/share/java/epubcheck.jar', file], { encoding: 'utf8' });
  const output = `${r.stdout}${r.stderr}`;
  const m = /Messages: (\d+) fatals? \/ (\d+) errors? \/ (\d+) warnings? \/ (\d+) infos?/.exec(output);
  if (!m) throw new Error(`epubcheck gave no summary:\n${output}`);
  return {
    fatals: Number(m[1]),
    errors: Number(m[2]),
    warnings: Number(m[3]),
    infos: Number(m[4]),
    output,
    status: r.status,
  };
}

/** Visible text of an XHTML document: tags removed, entities decoded. */
export function xhtmlText(xhtml: string): string {
  return xhtml
    .replace(/<head>[\s\S]*?<\/head>/, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
