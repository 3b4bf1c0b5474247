import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { PageInfo } from '../paginate/paginate.js';

/**
 * How the booklet's pages are laid out around the text, decided before (and, if needed, after a
 * first) pagination so that the count is a multiple of 4 by design.
 */
export interface PagePlan {
  /** A contents page: only for more than one chapter. */
  toc: boolean;
  /** Chapters open on a right-hand page (a blank before one if needed), or on the next page. */
  chapterStart: 'right' | 'page';
  /** Pages left blank on purpose before the back cover (封三, the inside back cover, first). */
  blanks: number;
  /** The page count this plan gives (after measuring), if known. */
  pages?: number;
}

/** The first plan, before anything is measured: contents only for two chapters or more. */
export function initialPlan(chapters: number): PagePlan {
  return { toc: chapters > 1, chapterStart: 'right', blanks: 0 };
}

/** What one pagination measured: page lengths of the parts whose length does not depend on the plan. */
export interface Measured {
  toc: number;
  chapters: number[];
}

/**
 * Chapter and contents lengths from a pagination: each chapter's pages from its opening to its
 * last page (text width is the same on left and right pages, so a length does not depend on the side).
 */
export function measure(pages: Pick<PageInfo, 'number' | 'name' | 'blank'>[], chapterStarts: number[]): Measured {
  const toc = pages.filter((p) => p.name === 'toc' && !p.blank).length;
  const chapters = chapterStarts.map((start, i) => {
    const end = i + 1 < chapterStarts.length ? chapterStarts[i + 1]! : pages.length; // back cover is the last page
    // planned blanks (named page planblank) are the plan's, not the chapter's: a first layout with the
    // plan remembered from the last build has them
    const own = (p: (typeof pages)[number]) => !p.blank && !['blank', 'planblank', 'back'].includes(p.name);
    return pages.slice(start - 1, end - 1).filter(own).length;
  });
  return { toc, chapters };
}

/** A page of the plan: what is on it, and for a blank page why it is blank. */
export interface PlannedPage {
  number: number;
  what: string;
  blank: boolean;
}

/**
 * The page sequence a plan gives for measured lengths: 封面 · 封二 (inside front cover, blank) ·
 * 扉页 · 版权页 · [目录] · chapters · [blanks] · 封底 on a left-hand page.
 */
export function simulate(plan: PagePlan, m: Measured): PlannedPage[] {
  const seq: PlannedPage[] = [];
  const put = (what: string, blank = false) => seq.push({ number: seq.length + 1, what, blank });
  const toRight = (why: string) => {
    if (seq.length % 2 === 1) put(why, true); // next page would be even (left): leave it blank
  };
  put('封面 cover');
  put('封二 inside front cover', true);
  put('扉页 title page');
  put('版权页 imprint');
  if (plan.toc) {
    for (let i = 0; i < m.toc; i++) put('目录 contents');
    if (m.toc % 2 === 1 && plan.chapterStart === 'right') put('after the contents (chapters open on the right)', true);
  }
  for (const [i, n] of m.chapters.entries()) {
    if (plan.chapterStart === 'right') toRight(`before chapter ${i + 1} (it opens on the right)`);
    for (let k = 0; k < n; k++) put(k === 0 ? `chapter ${i + 1}` : `chapter ${i + 1} cont.`);
  }
  for (let i = 0; i < plan.blanks; i++) put('planned blank', true);
  if (seq.length % 2 === 0) put('the back cover is a left-hand page', true);
  const last = seq.at(-1)!;
  if (last.blank) last.what = '封三 inside back cover';
  put('封底 back cover');
  return seq;
}

/**
 * The plan for `pages` (a multiple of 4, or auto: the fewest sheets). Candidates: contents on or off
 * (a one-chapter book has none unless that saves two blanks), chapters on a right-hand page or on the
 * next one, deliberate blanks before 封三. The plan with the fewest blank pages wins; a contents page
 * for one chapter counts as 1.5 blanks, chapters running on as half a blank, so the conventional
 * layout wins a tie.
 */
export function choosePlan(chapters: number, m: Measured, pages: number | 'auto'): PagePlan | undefined {
  const options: PagePlan[] = [];
  for (const toc of chapters > 1 ? [true] : [false, true])
    for (const chapterStart of ['right', 'page'] as const)
      for (let blanks = 0; blanks <= 3 + (pages === 'auto' ? 0 : pages); blanks++)
        options.push({ toc, chapterStart, blanks });
  const scored = options
    .map((plan, order) => {
      const seq = simulate(plan, m);
      const blanks = seq.filter((p) => p.blank).length;
      const cost = blanks + (chapters === 1 && plan.toc ? 1.5 : 0) + (plan.chapterStart === 'page' ? 0.5 : 0);
      return { plan: { ...plan, pages: seq.length }, cost, order };
    })
    .filter((o) => o.plan.pages % 4 === 0 && (pages === 'auto' || o.plan.pages === pages));
  if (!scored.length) return undefined;
  const fewest = Math.min(...scored.map((o) => o.plan.pages));
  const pool = pages === 'auto' ? scored.filter((o) => o.plan.pages === fewest) : scored;
  pool.sort((a, b) => a.cost - b.cost || a.order - b.order);
  return pool[0]!.plan;
}

/** "12 pages = 3 sheets; blank: p. 2 (封二 inside front cover)" */
export function describePlan(plan: PagePlan, m: Measured): string {
  const seq = simulate(plan, m);
  const blanks = seq.filter((p) => p.blank);
  return (
    `${seq.length} pages = ${seq.length / 4} sheets` +
    (plan.toc ? ', contents' : ', no contents') +
    (plan.chapterStart === 'page' ? ', chapters on the next page' : '') +
    '; ' +
    `blank: ${blanks.length ? blanks.map((p) => `p. ${p.number} (${p.what})`).join(', ') : 'none'}`
  );
}

/** `pages: N` that the content cannot fill or fit: an error at book.yaml's `pages`. */
export function planError(pages: number, m: Measured, file: string, at: { line: number; column: number }): Diagnostic {
  const least = simulate({ toc: m.chapters.length > 1, chapterStart: 'page', blanks: 0 }, m).length;
  return {
    file,
    ...at,
    severity: 'error',
    message:
      `pages: ${pages} cannot be planned: the content needs at least ${least} pages ` +
      `(${Math.ceil(least / 4) * 4} as a multiple of 4)`,
    ruleId: 'plan-pages',
    hint: 'Use pages: auto, or a count the content fits.',
  };
}
