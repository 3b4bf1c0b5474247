// Folio preview, side panel: the contents from the headings and the findings of the last build (lint
// and build diagnostics from the server, the typography check measured on these pages, the preflight
// of the last `folio build`), each with its page and file:line. A click scrolls there and highlights
// the line; a click on the text of a page shows where it comes from in the manuscript.
(function () {
  'use strict';
  const F = window.FolioPreview;

  /** The element of a manuscript place: the last block of that file starting at or before the line. */
  function blockAt(file, line) {
    let best = null;
    let bestLine = -1;
    const scope = F.paged ? '.pagedjs_page [data-src]' : '[data-src]';
    for (const b of document.querySelectorAll(scope)) {
      const m = /^(.*):(\d+)$/.exec(b.dataset.src);
      if (!m || m[1] !== file) continue;
      const l = Number(m[2]);
      if (l <= line && l > bestLine) {
        best = b;
        bestLine = l;
      }
    }
    return best;
  }
  const pageOf = (el) => Number(el?.closest('.pagedjs_page')?.dataset.pageNumber) || null;

  /** Every finding with a page where one is known: build diagnostics, typography, preflight. */
  function findings() {
    const out = [];
    for (const d of F.build.diagnostics) {
      const block = d.line ? blockAt(d.file, d.line) : null;
      out.push(Object.assign({ source: 'lint', page: pageOf(block) }, d));
    }
    for (const t of F.typography || []) out.push(t);
    for (const p of F.build.preflight?.findings || []) out.push(Object.assign({ source: 'preflight' }, p));
    const rank = { error: 0, warning: 1, info: 2 };
    return out.sort((a, b) => (a.page || 1e9) - (b.page || 1e9) || rank[a.severity] - rank[b.severity]);
  }

  /** A band across the text block at the height of the line holding character `offset` of a block. */
  function lineBox(f) {
    const page = document.querySelector('.pagedjs_page[data-page-number="' + f.page + '"]');
    const frags = [...document.querySelectorAll('[data-src="' + CSS.escape(f.src) + '"]')];
    const here = frags.find((b) => b.closest('.pagedjs_page') === page);
    if (!here) return null;
    let before = 0;
    for (const b of frags) {
      if (b === here) break;
      if (b.dataset.ref === here.dataset.ref) before += chars(b).length;
    }
    const list = chars(here);
    const c = list[Math.max(0, Math.min(list.length - 1, f.offset - 1 - before))];
    if (!c) return here.getBoundingClientRect();
    const area = page.querySelector('.pagedjs_page_content').getBoundingClientRect();
    return { left: area.left, right: area.right, top: c.top, bottom: c.bottom };
  }
  function chars(block) {
    const out = [];
    const range = document.createRange();
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      for (let i = 0; i < t.data.length; i++) {
        if (/\s/.test(t.data[i])) continue;
        range.setStart(t, i);
        range.setEnd(t, i + 1);
        const r = range.getClientRects()[0];
        if (r && r.width > 0) out.push({ top: r.top, bottom: r.bottom });
      }
    }
    return out;
  }

  /** Draws the highlight inside its page (so it scales with the page) from a box in viewport pixels. */
  function highlight(box, container) {
    for (const h of document.querySelectorAll('.folio-highlight')) h.remove();
    if (!box || !container) return;
    const c = container.getBoundingClientRect();
    const s = F.paged ? F.scale() : 1;
    const mark = F.el('div', { class: 'folio-highlight' });
    mark.style.left = (box.left - c.left) / s - 2 + 'px';
    mark.style.top = (box.top - c.top) / s - 1 + 'px';
    mark.style.width = (box.right - box.left) / s + 4 + 'px';
    mark.style.height = (box.bottom - box.top) / s + 2 + 'px';
    container.appendChild(mark);
  }

  function show(f) {
    if (!F.paged) {
      const block = f.line ? blockAt(f.file, f.line) : null;
      if (block) block.scrollIntoView({ block: 'center' });
      if (block) highlight(block.getBoundingClientRect(), document.body);
      return;
    }
    if (!f.page) return;
    F.go(f.page);
    const page = document.querySelector('.pagedjs_page[data-page-number="' + f.page + '"]');
    const block = f.src ? null : f.line ? blockAt(f.file, f.line) : null;
    const box = f.src ? lineBox(f) : block ? block.getBoundingClientRect() : page.getBoundingClientRect();
    highlight(box, page);
    const mark = page.querySelector('.folio-highlight');
    const r = mark?.getBoundingClientRect();
    if (r && (r.bottom > window.innerHeight || r.top < 0)) window.scrollBy(0, r.top - window.innerHeight / 2);
  }
  F.showFinding = show;

  function findingItem(f) {
    const { el } = F;
    const where = F.where(f);
    const head = [f.page ? 'p. ' + f.page : '—', where, f.ruleId].join(' · ');
    const b = el('button', { type: 'button', class: 'folio-finding', 'data-severity': f.severity }, [
      el('span', { class: 'folio-finding-head' }, [el('b', { text: f.severity }), ' ', head]),
      el('span', { class: 'folio-finding-msg', text: f.message.replace(/^p\. \d+: /, '') }),
    ]);
    for (const k of ['page', 'ruleId', 'source']) if (f[k]) b.setAttribute('data-' + k.toLowerCase(), String(f[k]));
    b.addEventListener('click', () => {
      for (const x of document.querySelectorAll('.folio-finding[aria-current]')) x.removeAttribute('aria-current');
      b.setAttribute('aria-current', 'true');
      show(f);
    });
    return el('li', {}, [b]);
  }

  F.renderFindings = function () {
    const list = document.getElementById('folio-findings');
    if (!list) return;
    const all = findings();
    list.replaceChildren(...all.map(findingItem));
    const count = (s) => all.filter((f) => f.severity === s).length;
    const pre = F.build.preflight;
    const said = pre && (pre.passed ? 'passed' : 'failed') + (pre.verdict ? ', ' + pre.verdict : '');
    const verdict = pre ? ' · preflight ' + said + ' (last build, ' + pre.when + ' UTC)' : '';
    document.getElementById('folio-findings-summary').textContent =
      count('error') + ' errors · ' + count('warning') + ' warnings · ' + count('info') + ' notes' + verdict;
  };

  const FRONT = { cover: '封面', title: '扉页', imprint: '版权页', toc: '目录', back: '封底' };

  /** The contents: the book's own parts (cover, title page, imprint, contents, back) and its headings. */
  function contents() {
    const scope = F.paged ? '.pagedjs_page ' : '';
    const heads = ['h1', 'h2', 'h3'].map((h) => scope + 'section.chapter ' + h + '[id]');
    const sel = [scope + '[data-folio]:not([data-split-from])', ...heads].join(', ');
    return [...document.querySelectorAll(sel)].map((h) => {
      const page = pageOf(h);
      const label = h.dataset.folio ? FRONT[h.dataset.folio] || h.dataset.folio : h.textContent.trim();
      const level = h.dataset.folio ? 'part' : h.tagName.toLowerCase();
      const b = F.el('button', { type: 'button', class: 'folio-toc-' + level }, [
        F.el('span', { text: label }),
        F.el('span', { class: 'folio-toc-page', text: page ? String(page) : '' }),
      ]);
      if (page) b.setAttribute('data-page', String(page));
      b.addEventListener('click', () => {
        if (F.paged) F.go(page);
        else h.scrollIntoView();
        if (!h.dataset.folio)
          highlight(h.getBoundingClientRect(), F.paged ? h.closest('.pagedjs_page') : document.body);
      });
      return F.el('li', {}, [b]);
    });
  }

  /** A click on the text of a page: its manuscript file:line, and an editor link where one is configured. */
  function onPageClick(e) {
    if (e.target.closest('#folio-panel, #folio-toolbar, #folio-source, a[href]')) return;
    const block = e.target.closest('[data-src]');
    if (!block) return;
    const m = /^(.*):(\d+)$/.exec(block.dataset.src);
    const box = document.getElementById('folio-source');
    const page = pageOf(block);
    const link = F.build.editor && m ? editorLink(m[1], m[2]) : null;
    box.replaceChildren(
      F.el('b', { text: block.dataset.src }),
      page ? ' · p. ' + page : '',
      link ? F.el('a', { href: link, id: 'folio-editor-link' }, ['open in editor']) : '',
    );
    box.hidden = false;
    highlight(block.getBoundingClientRect(), F.paged ? block.closest('.pagedjs_page') : document.body);
  }
  /** The absolute path of a file named relative to the server's folder ('..' and '.' resolved). */
  function absolute(file) {
    const f = file.replaceAll('\\', '/');
    const joined = /^(\/|[A-Za-z]:\/)/.test(f) ? f : F.build.cwd.replaceAll('\\', '/') + '/' + f;
    const out = [];
    for (const part of joined.split('/')) {
      if (part === '..') out.pop();
      else if (part !== '.' && (part !== '' || out.length === 0)) out.push(part);
    }
    return out.join('/');
  }
  function editorLink(file, line) {
    return F.build.editor
      .replaceAll('{file}', encodeURI(absolute(file)))
      .replaceAll('{line}', line)
      .replaceAll('{column}', '1');
  }

  F.panel = function () {
    const { el } = F;
    const panel = el('aside', { id: 'folio-panel', 'aria-label': 'contents and findings' }, [
      el('section', {}, [el('h2', { text: 'Contents' }), el('ol', { id: 'folio-contents' }, contents())]),
      el('section', {}, [
        el('h2', { text: 'Findings' }),
        el('p', { id: 'folio-findings-summary' }),
        el('ol', { id: 'folio-findings' }),
      ]),
    ]);
    document.body.appendChild(panel);
    // beside the page, not in the panel: it shows with the panel closed too
    document.body.appendChild(el('div', { id: 'folio-source', role: 'status', hidden: '' }));
    F.renderFindings();
    document.addEventListener('click', onPageClick);
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      document.getElementById('folio-source').hidden = true;
      highlight(null, null);
    });
    if (F.relayout) F.relayout();
  };
})();
