// Folio preview, viewer: the laid-out pages as paper on grey, in spreads as printed (the cover alone,
// then verso | recto, the back cover alone) or single pages; zoom to fit the page, the width or 100 %;
// page navigation (toolbar, keyboard) and the toolbar itself. Layout is CSS grid over Paged.js's own
// page elements (never moved, so nothing that reads the pages changes); zoom is a transform, so the
// line breaks on screen are exactly the ones Paged.js made.
(function () {
  'use strict';
  const F = window.FolioPreview;
  const PAD = 16;
  let current = 1;
  let scale = 1;

  const pages = () => [...document.querySelectorAll('.pagedjs_page')];
  const pageEl = (n) => document.querySelector('.pagedjs_page[data-page-number="' + n + '"]');
  const toolbarHeight = () => document.getElementById('folio-toolbar')?.offsetHeight ?? 0;

  /** Pages grouped as the grid places them: a verso opens a row, a recto closes it (or stands alone). */
  function rows() {
    const out = [];
    for (const p of pages()) {
      const last = out.at(-1);
      const joins =
        F.setting('layout') === 'spread' &&
        p.classList.contains('pagedjs_right_page') &&
        last?.length === 1 &&
        last[0].classList.contains('pagedjs_left_page');
      if (joins) last.push(p);
      else out.push([p]);
    }
    return out;
  }
  const rowOf = (n) => rows().findIndex((r) => r.some((p) => Number(p.dataset.pageNumber) === n));

  function applyZoom() {
    const box = document.querySelector('.pagedjs_pages');
    if (!box) return;
    box.style.transform = 'none';
    box.style.marginBottom = '0';
    const list = pages();
    const pageH = Math.max(...list.map((p) => p.offsetHeight));
    const rowW = box.offsetWidth; // width: max-content, the widest row
    const availW = document.body.clientWidth - parseFloat(getComputedStyle(document.body).paddingLeft) - PAD;
    const availH = window.innerHeight - toolbarHeight() - 2 * PAD - 20; // 20: the page number below
    const zoom = F.setting('zoom');
    scale = zoom === '100' ? 1 : zoom === 'width' ? availW / rowW : Math.min(availW / rowW, availH / pageH);
    scale = Math.max(0.1, Math.min(scale, 4));
    // scaled from the top left corner, then moved to the middle of the space beside the panel
    const dx = Math.max(0, (availW - rowW * scale) / 2);
    document.documentElement.style.setProperty('--folio-scale', String(scale)); // row gap and labels
    box.style.transform = 'translateX(' + dx + 'px) scale(' + scale + ')';
    box.style.marginBottom = box.offsetHeight * (scale - 1) + 'px';
  }

  /** Scrolls page n to the top of the view (below the toolbar); `into` is how far into the page, 0…1. */
  function go(n, into) {
    const count = pages().length;
    n = Math.max(1, Math.min(count, Math.round(Number(n)) || 1));
    const el = pageEl(n);
    if (!el) return;
    current = n;
    const r = el.getBoundingClientRect();
    const top = window.scrollY + r.top - toolbarHeight() - PAD + (into || 0) * r.height;
    window.scrollTo({ top: Math.max(0, top), behavior: 'instant' });
    showCurrent();
  }
  const step = (delta) => {
    const all = rows();
    const next = all[Math.max(0, Math.min(all.length - 1, rowOf(current) + delta))];
    go(Number(next[0].dataset.pageNumber));
  };

  /** After a scroll: keep the current page while it is on screen, else take the first page of the top row. */
  function track() {
    const topLine = toolbarHeight() + 8;
    const cur = pageEl(current)?.getBoundingClientRect();
    if (cur && cur.bottom > topLine && cur.top < window.innerHeight) return showCurrent();
    const row = rows().find((r) => r[0].getBoundingClientRect().bottom > topLine);
    if (row) current = Number(row[0].dataset.pageNumber);
    showCurrent();
  }

  function showCurrent() {
    const input = document.getElementById('folio-page');
    if (input && document.activeElement !== input) input.value = String(current);
    document.documentElement.setAttribute('data-folio-page', String(current));
    for (const p of document.querySelectorAll('.folio-current')) p.classList.remove('folio-current');
    pageEl(current)?.classList.add('folio-current');
    // the contents entry the reader is in: the last one starting on or before this page
    const entries = [...document.querySelectorAll('#folio-contents button[data-page]')];
    const here = entries.filter((b) => Number(b.dataset.page) <= current).at(-1);
    for (const b of entries) b.toggleAttribute('aria-current', b === here);
  }

  F.currentPlace = function () {
    const el = pageEl(current);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    const into = (toolbarHeight() + PAD - r.top) / r.height;
    return { page: current, into: Math.max(0, Math.min(1, into)) };
  };
  F.restorePlace = (p) => p && p.page && go(p.page, p.into);
  F.go = go;
  F.currentPage = () => current;
  F.scale = () => scale;

  function onKey(e) {
    if (e.target.closest?.('input, select, textarea') || e.altKey || e.ctrlKey || e.metaKey) return;
    const keys = { ArrowRight: 1, ArrowDown: 1, PageDown: 1, ArrowLeft: -1, ArrowUp: -1, PageUp: -1 };
    if (e.key === 'Home') go(1);
    else if (e.key === 'End') go(pages().length);
    else if (keys[e.key]) step(keys[e.key]);
    else return;
    e.preventDefault();
  }

  F.viewer = function () {
    document.documentElement.setAttribute('data-folio-laid', '1');
    document.body.prepend(toolbar());
    applyZoom();
    showCurrent();
    let pending = false;
    window.addEventListener('scroll', () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        track();
      });
    });
    window.addEventListener('resize', () => {
      const place = F.currentPlace();
      applyZoom();
      F.restorePlace(place);
    });
    document.addEventListener('keydown', onKey);
  };
  F.relayout = function () {
    const place = F.currentPlace();
    applyZoom();
    F.restorePlace(place);
  };

  function toolbar() {
    const { el } = F;
    const count = pages().length;
    const input = el('input', {
      id: 'folio-page',
      type: 'text',
      inputmode: 'numeric',
      size: '3',
      'aria-label': 'page',
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        go(input.value);
        input.blur();
      }
    });
    input.addEventListener('change', () => go(input.value));
    const button = (id, text, title, fn) => el('button', { id, type: 'button', title, on: { click: fn } }, [text]);
    const nav = el('span', { class: 'folio-group folio-nav' }, [
      button('folio-first', '⇤', 'first page (Home)', () => go(1)),
      button('folio-prev', '‹', 'previous (← PageUp)', () => step(-1)),
      input,
      el('span', { id: 'folio-count' }, ['of ' + count]),
      button('folio-next', '›', 'next (→ PageDown)', () => step(1)),
      button('folio-last', '⇥', 'last page (End)', () => go(count)),
    ]);
    return F.toolbarShell([nav, layoutButtons(), zoomSelect()]);
  }

  function layoutButtons() {
    const group = F.el('span', { class: 'folio-group', role: 'group', 'aria-label': 'layout' });
    for (const [value, text] of [
      ['spread', 'spreads'],
      ['single', 'single'],
    ]) {
      const b = F.el('button', { type: 'button', 'data-layout': value }, [text]);
      b.setAttribute('aria-pressed', String(F.setting('layout') === value));
      b.addEventListener('click', () => {
        F.setSetting('layout', value);
        for (const x of group.children) x.setAttribute('aria-pressed', String(x === b));
        F.relayout();
      });
      group.appendChild(b);
    }
    return group;
  }

  function zoomSelect() {
    const select = F.el('select', { id: 'folio-zoom', 'aria-label': 'zoom' });
    for (const [value, text] of [
      ['page', 'fit page'],
      ['width', 'fit width'],
      ['100', '100 %'],
    ]) {
      const o = F.el('option', { value }, [text]);
      if (F.setting('zoom') === value) o.selected = true;
      select.appendChild(o);
    }
    select.addEventListener('change', () => {
      F.setSetting('zoom', select.value);
      F.relayout();
    });
    return select;
  }
})();
