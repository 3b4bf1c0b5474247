// Folio preview, measure: the same in-page passes the build runs around Paged.js — before the layout,
// tracking paragraphs that would end on a single character, table column widths from their content and
// putting every block on the line grid (so the preview breaks lines and pages as the PDF does); after it,
// the typography check on the laid-out lines and the page measures (pairs compressed, lines on the grid,
// caption widths, figure gaps). All come from the build's own TypeScript, serialised by the server into
// /_folio/typography.js as window.FolioTypography, in the order scripts/paginate/paginate.ts runs them.
(function () {
  'use strict';
  const F = window.FolioPreview;
  const T = () => window.FolioTypography || {};
  const opts = () => T().options || { stretchEm: 0.25, gridPt: 18, maxGapFraction: 0.25 };

  function status(text) {
    let box = document.getElementById('folio-status');
    if (!box) {
      // outside <body>: Paged.js lays out everything in the body as the book
      box = F.el('div', { id: 'folio-status', role: 'status' });
      document.documentElement.appendChild(box);
    }
    box.textContent = text;
  }

  F.beforeLayout = async function () {
    F.layoutStarted = performance.now();
    status('laying out…');
    const polyfill = window.PagedPolyfill;
    if (polyfill && polyfill.chunker)
      polyfill.chunker.on('renderedPage', (p) => status('laying out page ' + (p.position + 1) + '…'));
    if (T().balance) F.balance = await T().balance();
    if (T().tables) F.tables = T().tables();
    if (T().grid) F.grid = T().grid({ gridPt: opts().gridPt });
    // the build's Paged.js handlers (table heads on every page, headings kept with what follows, notes per page)
    if (T().handlers) F.handlers = T().handlers.map((h) => h());
  };

  F.measure = function () {
    F.layoutMs = performance.now() - (F.layoutStarted || performance.now());
    const box = document.getElementById('folio-status');
    if (box) box.remove();
    const t0 = performance.now();
    const lines = T().analyze ? T().analyze({ stretchEm: opts().stretchEm }) : { findings: [], stats: null };
    const page = T().measure
      ? T().measure({ gridPt: opts().gridPt, maxGapFraction: opts().maxGapFraction })
      : { findings: [], stats: null };
    const result = {
      findings: lines.findings.concat(page.findings),
      stats: lines.stats && page.stats ? Object.assign({}, lines.stats, page.stats) : lines.stats,
    };
    F.typography = result.findings.map(function (f) {
      const at = /^(.*):(\d+)$/.exec(f.src) || [f.src, f.src, '0'];
      return {
        source: 'typography',
        page: f.page,
        src: f.src,
        offset: f.offset,
        file: at[1],
        line: Number(at[2]),
        column: f.offset,
        severity: f.severity,
        ruleId: f.ruleId,
        message: f.message,
      };
    });
    F.typographyStats = result.stats;
    F.measureMs = performance.now() - t0;
  };
})();
