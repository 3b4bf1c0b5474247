// Folio preview, chrome: the toolbar's shell (panel toggle, the three views, the build state) that the
// paged viewer and the e-book reader fill with their own controls.
(function () {
  'use strict';
  const F = window.FolioPreview;
  const VIEWS = [
    ['booklet', 'booklet'],
    ['press', 'press'],
    ['ebook', 'ebook'],
  ];
  const clock = (ms) => new Date(ms).toLocaleTimeString('en-GB', { hour12: false });

  function buildText(b) {
    if (b.building) return 'building…';
    const errors = b.diagnostics.filter((d) => d.severity === 'error').length;
    const parts = [];
    if (b.rebuiltAt) parts.push((errors ? 'kept the last good book · ' : 'rebuilt ') + clock(b.rebuiltAt));
    if (b.rebuildMs) parts.push(Math.round(b.rebuildMs) + ' ms');
    if (F.paged && F.layoutMs) parts.push('laid out in ' + (F.layoutMs / 1000).toFixed(1) + ' s');
    return parts.join(' · ');
  }

  F.onBuild = function (b) {
    const box = document.getElementById('folio-build');
    if (!box) return;
    box.textContent = buildText(b);
    box.setAttribute('data-state', b.building ? 'building' : 'idle');
    if (F.renderFindings) F.renderFindings();
  };

  F.toolbarShell = function (groups) {
    const { el } = F;
    const toggle = el('button', { id: 'folio-panel-toggle', type: 'button', title: 'contents and findings' }, ['☰']);
    toggle.setAttribute('aria-pressed', String(F.setting('panel') === 'open'));
    toggle.addEventListener('click', () => {
      const open = F.setting('panel') !== 'open';
      F.setSetting('panel', open ? 'open' : 'closed');
      toggle.setAttribute('aria-pressed', String(open));
      if (F.relayout) F.relayout();
    });
    const views = el('span', { class: 'folio-group folio-views' });
    for (const [view, text] of VIEWS) {
      const a = el('a', { href: F.viewHref(view) }, [text]);
      if (view === F.view) a.setAttribute('aria-current', 'page');
      views.appendChild(a);
    }
    const build = el('span', { id: 'folio-build', role: 'status', 'aria-live': 'polite' });
    const bar = el('nav', { id: 'folio-toolbar', 'aria-label': 'preview' }, [toggle, views, ...groups, build]);
    build.textContent = buildText(F.build);
    return bar;
  };
})();
