// Folio preview, e-book view: the book reflowed in a reading pane, styled by the EPUB's own stylesheet,
// with the measure (characters per line) and the font size the reader chooses, as a reading system does.
(function () {
  'use strict';
  const F = window.FolioPreview;
  const root = document.documentElement;

  function apply() {
    root.style.setProperty('--folio-measure', F.setting('measure') + 'em');
    root.style.setProperty('--folio-font', F.setting('font') + 'px');
  }

  function slider(id, name, label, min, max, unit) {
    const input = F.el('input', { id, type: 'range', min: String(min), max: String(max), step: '1' });
    input.value = F.setting(name);
    const out = F.el('output', { for: id, text: input.value + unit });
    input.addEventListener('input', () => {
      F.setSetting(name, input.value);
      out.textContent = input.value + unit;
      apply();
    });
    return F.el('label', { class: 'folio-group' }, [label + ' ', input, ' ', out]);
  }

  /** The block at the top of the view, and how far into it, so a reload comes back to it. */
  F.currentPlace = function () {
    const top = (document.getElementById('folio-toolbar')?.offsetHeight ?? 0) + 4;
    for (const b of document.querySelectorAll('body > section [data-src]')) {
      const r = b.getBoundingClientRect();
      if (r.bottom > top) return { src: b.dataset.src, into: (top - r.top) / (r.height || 1) };
    }
    return null;
  };
  F.restorePlace = function (p) {
    const b = p && p.src && document.querySelector('[data-src="' + CSS.escape(p.src) + '"]');
    if (!b) return;
    const top = document.getElementById('folio-toolbar')?.offsetHeight ?? 0;
    const r = b.getBoundingClientRect();
    window.scrollTo({ top: window.scrollY + r.top + (p.into || 0) * r.height - top - 4, behavior: 'instant' });
  };

  F.reader = function () {
    apply();
    const pane = [
      slider('folio-measure', 'measure', 'width', 12, 60, ' 字'),
      slider('folio-font', 'font', 'size', 12, 32, ' px'),
    ];
    document.body.prepend(F.toolbarShell(pane));
  };
})();
