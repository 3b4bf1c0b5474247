import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import { cacheKey, openCache } from '../cache/cache.js';
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
 * Lays the book out to a page plan: a first pagination with the first plan (`bundle` is rendered with
 * it: the plan the cache remembers from this book's last build, else contents only for more than one
 * chapter) measures the chapters; if its count is not the plan for book.yaml `pages`, the book is laid
 * out once more with the chosen plan, which the cache then remembers. 印张 and 字数 are set from the
 * final count.
 * @example const { pagination, description } = await paginatePlanned(bundle, book, browser, {});
 */
export async function paginatePlanned(
  bundle: HtmlBundle,
  book: Book,
  browser: Browser,
  opts: PaginateOptions,
  configFile: { display: string; text: string },
  first: PagePlan = initialPlan(book.chapters.length),
): Promise<PlannedPagination> {
  const finalize = (n: number) => {
    const f = figuresFor(book, n);
    return { yinzhang: f.yinzhang, zishu: f.zishu, kaiben: f.kaiben };
  };
  let pagination = await paginate(bundle, book, browser, { ...opts, finalize });
  const m = measure(pagination.pages, chapterStarts(book, pagination));
  const plan = choosePlan(book.chapters.length, m, book.meta.pages);
  if (!plan) {
    const at = configPosition(configFile.text, ['pages']) ?? { line: 1, column: 1 };
    throw new FolioError([planError(book.meta.pages as number, m, configFile.display, at)]);
  }
  // The final layout is the one a build without a remembered plan makes, page for page and byte for
  // byte: the first plan's HTML if that plan is chosen and fits, else the chosen plan's (with its count).
  const initial = initialPlan(book.chapters.length);
  const hinted = !samePlan(first, initial);
  let passes = 1;
  const fits = (p: Pagination) => p.pages.length === plan.pages;
  const kept = samePlan(plan, first) && fits(pagination) && (!hinted || first.pages === plan.pages);
  if (!kept && hinted && samePlan(plan, initial)) {
    pagination = await paginate(renderHtml(book), book, browser, { ...opts, finalize });
    passes = 2;
  }
  if (!kept && !(passes === 2 && fits(pagination))) {
    pagination = await paginate(renderHtml(book, undefined, plan), book, browser, { ...opts, finalize });
    passes++;
  }
  await rememberPlan(book, plan);
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

/** The same plan, whatever its page count. */
const samePlan = (a: PagePlan, b: PagePlan) =>
  a.toc === b.toc && a.chapterStart === b.chapterStart && a.blanks === b.blanks;

/**
 * The page plans of the last builds, by book (its folder and chapter files), in the cache's `page-plans`
 * namespace. A hint, not a result: the plan is always chosen from what the layout measured (chapter
 * lengths do not depend on the plan), so a stale hint costs a second layout, never a different book.
 */
const planKey = (book: Book) =>
  cacheKey('page-plan', path.resolve(book.root), String(book.meta.pages), ...book.chapters.map((c) => c.file.path));

/** The plan the cache remembers for this book, if it can be the first layout's (same contents setting). */
export async function recallPlan(book: Book): Promise<PagePlan | undefined> {
  const raw = await openCache('page-plans').get(planKey(book));
  if (!raw) return undefined;
  try {
    const p = JSON.parse(raw.toString('utf8')) as PagePlan;
    const valid =
      typeof p.toc === 'boolean' &&
      (p.chapterStart === 'right' || p.chapterStart === 'page') &&
      Number.isInteger(p.blanks) &&
      p.blanks >= 0 &&
      Number.isInteger(p.pages) &&
      p.pages! > 0;
    // measuring needs the contents page laid out whenever a plan could have one: the first plan's setting;
    // the first plan itself is laid out as a build without the cache would (its HTML has no page count)
    const initial = initialPlan(book.chapters.length);
    return valid && p.toc === initial.toc && !samePlan(p, initial) ? p : undefined;
  } catch {
    return undefined;
  }
}

/** Its page count too: the first layout's HTML then carries the 版权页's 印张 (its characters in the fonts). */
async function rememberPlan(book: Book, plan: PagePlan): Promise<void> {
  const { toc, chapterStart, blanks, pages } = plan;
  const hint = JSON.stringify({ toc, chapterStart, blanks, pages });
  await openCache('page-plans').put(planKey(book), Buffer.from(hint));
}

/** The page each chapter opens on, in the first layout. */
function chapterStarts(book: Book, p: Pagination): number[] {
  return book.chapters.map((c) => {
    const fromBreaks = p.breaks.filter((b) => b.chapterId === c.id).map((b) => b.page);
    const fromHeading = c.headings[0] ? p.headingPages[c.headings[0].id] : undefined;
    return Math.min(...fromBreaks, fromHeading ?? Infinity);
  });
}
