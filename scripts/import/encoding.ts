import iconv from 'iconv-lite';
import { FolioError, positionAt } from '../diagnostics/diagnostic.js';

export type RawEncoding = 'UTF-8' | 'UTF-16LE' | 'UTF-16BE' | 'GB18030' | 'Big5';

/**
 * Frequent characters of Chinese newspaper text in both scripts (的 是 國/国 …): text decoded with the
 * wrong legacy encoding is made of rare characters, so these tell GB18030 (which includes GBK and
 * GB2312) from Big5.
 */
const COMMON = new Set(
  (
    '的一是不了人在有我他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后' +
    '小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长' +
    '這來國個說們為時後麼會對過學發還經見無開頭動兩長於與門問間關員實現點當體進種應將義區廠'
  )
    .split('')
    .filter(Boolean),
);

/** Share of the CJK characters of `text` that are frequent ones (0 … 1). */
function commonShare(text: string): number {
  let cjk = 0;
  let common = 0;
  for (const ch of text) {
    if (!/\p{Script=Han}/u.test(ch)) continue;
    cjk++;
    if (COMMON.has(ch)) common++;
  }
  return cjk ? common / cjk : 0;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a raw text file: a BOM (UTF-8, UTF-16LE/BE) decides; else valid UTF-8 is UTF-8; else the
 * legacy encodings of Chinese newsrooms are tried with iconv-lite (GB18030, a superset of GBK and
 * GB2312; Big5) and the one whose text is made of frequent characters wins. When neither reads as
 * Chinese, or the decoding leaves a U+FFFD, the file is refused with a hint: never a lossy import.
 */
export function decodeRaw(bytes: Buffer, display: string): { text: string; encoding: RawEncoding } {
  const bom = bomEncoding(bytes);
  if (bom) return { text: checked(iconv.decode(bytes, bom), display, bom), encoding: bom };
  try {
    return { text: utf8.decode(bytes), encoding: 'UTF-8' };
  } catch {
    /* a legacy encoding */
  }
  const candidates = (['GB18030', 'Big5'] as const).map((encoding) => {
    const text = iconv.decode(bytes, encoding);
    return { encoding, text, share: commonShare(text), lost: text.includes('\uFFFD') };
  });
  const best = candidates.filter((c) => !c.lost).sort((a, b) => b.share - a.share)[0];
  if (!best || best.share < 0.05) throw undecodable(display);
  return { text: best.text, encoding: best.encoding };
}

function bomEncoding(b: Buffer): RawEncoding | undefined {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'UTF-8';
  if (b[0] === 0xff && b[1] === 0xfe) return 'UTF-16LE';
  if (b[0] === 0xfe && b[1] === 0xff) return 'UTF-16BE';
  return undefined;
}

/** iconv-lite replaces what it cannot decode with U+FFFD: that is lost text, so an error at its place. */
function checked(text: string, display: string, encoding: RawEncoding): string {
  const at = text.indexOf('\uFFFD');
  if (at < 0) return text;
  throw new FolioError([
    {
      file: display,
      ...positionAt(text, at),
      severity: 'error',
      message: `Not valid ${encoding}: the byte order mark says ${encoding}, the bytes here do not`,
      ruleId: 'import-encoding',
      hint: 'Export the text again from the layout system, as UTF-8 if it offers it.',
    },
  ]);
}

function undecodable(display: string): FolioError {
  return new FolioError([
    {
      file: display,
      line: 1,
      column: 1,
      severity: 'error',
      message: 'Cannot tell the encoding: the file is not UTF-8, and read as GB18030 or Big5 it is not Chinese text',
      ruleId: 'import-encoding',
      hint: 'Convert it to UTF-8 first, e.g. iconv -f GB18030 -t UTF-8 raw.txt > raw-utf8.txt, then import that.',
    },
  ]);
}
