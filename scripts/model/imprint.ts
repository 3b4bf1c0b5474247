import { isIsbn } from '../config/schema.js';
import { configPosition } from '../config/load.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { BookMeta } from './book.js';

/** The full sheet a 开本 is cut from when book.yaml gives none: 880 × 1230 mm (大度纸, A5 = 1/32). */
export const DEFAULT_PAPER = { width: 880, height: 1230 };

/** ISBN without its prefix, hyphens kept. */
const bareIsbn = (s: string) => s.replace(/^ISBN[- ]?(1[03])?:?\s*/i, '');

/** How the book is identified for print: 书号 (ISBN) or, for an internal publication, 准印证号. */
export function identification(meta: Pick<BookMeta, 'identifier' | 'imprint'>): { isbn?: string; permit?: string } {
  return {
    ...(isIsbn(meta.identifier) ? { isbn: bareIsbn(meta.identifier) } : {}),
    ...(meta.imprint?.permit ? { permit: meta.imprint.permit } : {}),
  };
}

/**
 * 开本: how many trims the full sheet yields, halving its long side while the piece still holds the
 * trim (880 × 1230 mm: A4 1/16, A5 1/32, A6 1/64).
 * @example kaiben({ width: 148, height: 210 }) // { paper: {width: 880, height: 1230}, fraction: 32 }
 */
export function kaiben(
  trim: { width: number; height: number },
  paper = DEFAULT_PAPER,
): { paper: { width: number; height: number }; fraction: number } {
  let [a, b] = [Math.min(paper.width, paper.height), Math.max(paper.width, paper.height)];
  const [tw, th] = [Math.min(trim.width, trim.height), Math.max(trim.width, trim.height)];
  let fraction = 1;
  for (;;) {
    const [na, nb] = [Math.min(a, b / 2), Math.max(a, b / 2)];
    if (na < tw || nb < th) break;
    [a, b] = [na, nb];
    fraction *= 2;
  }
  return { paper, fraction };
}

/** What the 版权页 shows that comes from the layout: 开本, 印张 (pages ÷ 开数) and 版面字数 (千字). */
export interface ImprintFigures {
  kaiben: string;
  yinzhang: string;
  zishu: string;
}

/**
 * 印张 = printed pages ÷ 开数 (a full sheet printed both sides carries 2 × 开数 pages = 2 印张); 字数 as
 * publishers count it, 版面字数 = characters per line × lines per page × pages (every page but the two
 * outer covers), in thousands, rounded up.
 * @example imprintFigures({ width: 148, height: 210 }, { chars: 30, lines: 26 }, 12).yinzhang // '0.375'
 */
export function imprintFigures(
  trim: { width: number; height: number },
  grid: { chars: number; lines: number },
  pages: number,
  paper?: { width: number; height: number },
): ImprintFigures {
  const k = kaiben(trim, paper);
  const sheets = Math.round((pages / k.fraction) * 1000) / 1000;
  const chars = grid.chars * grid.lines * Math.max(0, pages - 2);
  return {
    kaiben: `${k.paper.width} mm × ${k.paper.height} mm\u30001/${k.fraction}（成品 ${trim.width} mm × ${trim.height} mm）`,
    yinzhang: String(sheets),
    zishu: `${Math.ceil(chars / 1000)} 千字`,
  };
}

const cnMonth = (ym: string) => {
  const [y, m] = ym.split('-').map(Number);
  return `${y}年${m}月`;
};

/**
 * 版次·印次 by month, e.g. "2026年11月第1版\u30002026年11月第1次印刷": the edition month from
 * imprint.editionDate or the month of book.yaml `date`.
 */
export function editionLine(meta: Pick<BookMeta, 'date' | 'edition' | 'imprint' | 'buildDate'>): string {
  const im = meta.imprint;
  const editionMonth = im?.editionDate ?? meta.date?.slice(0, 7) ?? meta.buildDate.toISOString().slice(0, 7);
  const edition = im?.edition ?? Number(/第\s*(\d+)\s*版/.exec(meta.edition ?? '')?.[1] ?? 1);
  const impression = im?.impression ?? 1;
  return `${cnMonth(editionMonth)}第${edition}版\u3000${cnMonth(im?.impressionDate ?? editionMonth)}第${impression}次印刷`;
}

/** One line of the 版权页: a label and its value; `computed` values are filled in from the final layout. */
export interface ImprintLine {
  label: string;
  value: string;
  computed?: keyof ImprintFigures;
}

/**
 * The 版权页 in the order Chinese publishers print it: 书名 · 著者 · 出版/编印单位 (address) · 印刷 ·
 * 开本 · 印张 · 字数 · 版次·印次 · 印数 · 书号 or 准印证号 · 定价 or 非卖品. No identifiers of the build.
 */
export function imprintLines(meta: BookMeta, figures: ImprintFigures): ImprintLine[] {
  const im = meta.imprint;
  const id = identification(meta);
  const publisher = im?.publisher ?? meta.publisher;
  const lines: (ImprintLine | false | undefined | '' | 0)[] = [
    { label: '书　　名', value: meta.subtitle ? `${meta.title}——${meta.subtitle}` : meta.title },
    { label: '著　　者', value: meta.authors.join('　') },
    publisher && { label: id.isbn ? '出版发行' : '编印单位', value: publisher },
    im?.address && { label: '地　　址', value: im.address },
    im?.printer && { label: '印　　刷', value: im.printer },
    { label: '开　　本', value: figures.kaiben, computed: 'kaiben' },
    { label: '印　　张', value: figures.yinzhang, computed: 'yinzhang' },
    { label: '字　　数', value: figures.zishu, computed: 'zishu' },
    { label: '版　　次', value: editionLine(meta) },
    im?.printRun && { label: '印　　数', value: `${im.printRun} 册` },
    id.isbn && { label: '书　　号', value: `ISBN ${id.isbn}` },
    id.permit && { label: '准印证号', value: id.permit },
    im?.price !== undefined && { label: '定　　价', value: `${im.price.toFixed(2)} 元` },
  ];
  return lines.filter((l): l is ImprintLine => Boolean(l));
}

/** The line under the table: 内部资料\u3000免费交流 for a permit, 非卖品 when not for sale. */
export function imprintNotes(meta: BookMeta): string[] {
  const id = identification(meta);
  return [
    ...(id.permit && !id.isbn ? ['内部资料　免费交流'] : []),
    ...(meta.imprint?.notForSale && meta.imprint.price === undefined ? ['非卖品'] : []),
  ];
}

/**
 * What a press build needs on the 版权页 and book.yaml does not give: one warning each, at the
 * `imprint` key (or line 1).
 */
export function imprintWarnings(meta: BookMeta, file: string, yaml: string): Diagnostic[] {
  const im = meta.imprint;
  const id = identification(meta);
  const missing: [string, string, string][] = [];
  if (!(im?.publisher ?? meta.publisher))
    missing.push(['publisher', '出版/编印单位', 'imprint: {publisher: 某某报社, address: …}']);
  if (!im?.printer) missing.push(['printer', '印刷单位', 'imprint: {printer: 某某印刷厂}']);
  if (!im?.printRun) missing.push(['printRun', '印数', 'imprint: {printRun: 2000}']);
  if (!id.isbn && !id.permit)
    missing.push(['permit', '书号 (ISBN) or 准印证号', 'identifier: ISBN 978-7-… , or imprint: {permit: …}']);
  if (id.isbn && !im?.cip) missing.push(['cip', '图书在版编目（CIP）数据', 'imprint: {cip: "…"}']);
  if (im?.price === undefined && !im?.notForSale) missing.push(['price', '定价 or 非卖品', 'imprint: {price: 28}']);
  const at = configPosition(yaml, ['imprint']) ?? { line: 1, column: 1 };
  return missing.map(([key, what, example]) => ({
    file,
    ...at,
    severity: 'warning' as const,
    message: `The 版权页 of a press build has no ${what} (book.yaml imprint.${key})`,
    ruleId: 'imprint-missing',
    hint: `Add it, e.g. ${example}.`,
  }));
}
