import type { Browser } from 'puppeteer-core';
import { configPosition } from '../config/load.js';
import { FolioError } from '../diagnostics/diagnostic.js';
import type { Book } from '../model/book.js';
import { choosePlan, describePlan, initialPlan, measure, type PagePlan, planError } from '../model/plan.js';
import { figuresFor, type HtmlBundle, renderHtml } from '../render/html.js';
import { paginate, type PaginateOptions, type Pagination } from './paginate.js';

export interface PlannedPagination {
  pagination: Pagination;
  plan: PagePlan;
  /** "12 pages = 3 sheets, no contents; blank: p. 2 (封二 inside front cover)" */
  description: string;
  /** Paged.js runs: 1 when the first plan was right, 2 when the book was laid out again to plan. */
  passes: number;
}

/**
 * Lays the book out to a page plan: a first pagination with the first plan (contents only for more
 * than one chapter) measures the chapters; if its count is not the plan for book.yaml `pages`, the
 * book is laid out once more with the chosen plan. 印张 and 字数 are set from the final count.
 * @example const { pagination, description } = await paginatePlanned(bundle, book, browser, {});
 */
export async function paginatePlanned(
  bundle: HtmlBundle,
  book: Book,
  browser: Browser,
  opts: PaginateOptions,
  configFile: { display: string; text: string },
): Promise<PlannedPagination> {
  const finalize = (n: number) => {
    const f = figuresFor(book, n);
    return { yinzhang: f.yinzhang, zishu: f.zishu, kaiben: f.kaiben };
  };
  const first = initialPlan(book.chapters.length);
  let pagination = await paginate(bundle, book, browser, { ...opts, finalize });
  const m = measure(pagination.pages, chapterStarts(book, pagination));
  const plan = choosePlan(book.chapters.length, m, book.meta.pages);
  if (!plan) {
    const at = configPosition(configFile.text, ['pages']) ?? { line: 1, column: 1 };
    throw new FolioError([planError(book.meta.pages as number, m, configFile.display, at)]);
  }
  const same = plan.toc === first.toc && plan.chapterStart === first.chapterStart && plan.blanks === first.blanks;
  let passes = 1;
  if (!same || pagination.pages.length !== plan.pages) {
    pagination = await paginate(renderHtml(book, undefined, plan), book, browser, { ...opts, finalize });
    passes = 2;
  }
  const description = describePlan(plan, m);
  if (pagination.pages.length !== plan.pages)
    pagination.diagnostics.push({
      file: configFile.display,
      line: 0,
      column: 0,
      severity: 'warning',
      message: `The page plan gave ${pagination.pages.length} pages, not the ${plan.pages} planned (${description})`,
      ruleId: 'plan-mismatch',
      hint: 'A chapter changed length between the two layouts; the imposition pads to a multiple of 4.',
    });
  return { pagination, plan, description, passes };
}

/** The page each chapter opens on, in the first layout. */
function chapterStarts(book: Book, p: Pagination): number[] {
  return book.chapters.map((c) => {
    const fromBreaks = p.breaks.filter((b) => b.chapterId === c.id).map((b) => b.page);
    const fromHeading = c.headings[0] ? p.headingPages[c.headings[0].id] : undefined;
    return Math.min(...fromBreaks, fromHeading ?? Infinity);
  });
}
