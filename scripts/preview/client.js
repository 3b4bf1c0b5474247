// Folio preview client: live reload that keeps the page you were on, an overlay for diagnostics,
// and a view toggle. Served from the preview server as /_folio/preview.js (same origin: the CSP holds).
(function () {
  'use strict';
  var KEY = 'folio-preview-page';
  var view = new URLSearchParams(location.search).get('view') || 'booklet';

  function currentPage() {
    var pages = document.querySelectorAll('.pagedjs_page');
    for (var i = 0; i < pages.length; i++) {
      var r = pages[i].getBoundingClientRect();
      if (r.bottom > 80) return pages[i].getAttribute('data-page-number');
    }
    return '';
  }

  function restore() {
    var n = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
    if (n) {
      var page = document.querySelector('.pagedjs_page[data-page-number="' + n + '"]');
      if (page) page.scrollIntoView();
    }
    window.__folioReady = true;
    document.documentElement.setAttribute('data-folio-ready', '1');
  }

  function overlay(diagnostics) {
    var box = document.getElementById('folio-overlay');
    if (!box) {
      box = document.createElement('div');
      box.id = 'folio-overlay';
      box.style.cssText =
        'position:fixed;left:0;right:0;bottom:0;max-height:40vh;overflow:auto;z-index:99999;background:rgba(40,0,0,.93);color:#fff;font:13px/1.5 monospace;padding:10px 14px;white-space:pre-wrap';
      document.body.appendChild(box);
    }
    var shown = diagnostics.filter(function (d) {
      return d.severity !== 'info';
    });
    box.style.display = shown.length ? 'block' : 'none';
    box.textContent = shown
      .map(function (d) {
        return (
          d.file +
          ':' +
          d.line +
          ':' +
          d.column +
          ' ' +
          d.severity +
          ' ' +
          d.message +
          ' ' +
          d.ruleId +
          (d.hint ? '\n  hint: ' + d.hint : '')
        );
      })
      .join('\n');
  }

  function toolbar() {
    var bar = document.createElement('nav');
    bar.id = 'folio-toolbar';
    bar.style.cssText =
      'position:fixed;top:8px;right:8px;z-index:99998;background:#1d4f7a;color:#fff;font:13px system-ui,sans-serif;padding:4px 8px;border-radius:4px';
    ['booklet', 'press', 'ebook'].forEach(function (v) {
      var a = document.createElement('a');
      a.href = '?view=' + v;
      a.textContent = v;
      a.style.cssText =
        'color:#fff;margin:0 6px;' +
        (v === view ? 'font-weight:bold;text-decoration:underline' : 'text-decoration:none');
      bar.appendChild(a);
    });
    document.body.appendChild(bar);
  }

  function connect() {
    var es = new EventSource('/__events');
    es.addEventListener('reload', function () {
      sessionStorage.setItem(KEY, currentPage());
      location.reload();
    });
    es.addEventListener('diagnostics', function (e) {
      overlay(JSON.parse(e.data));
    });
  }

  window.__folioPreview = { restore: restore, overlay: overlay };
  document.addEventListener('DOMContentLoaded', function () {
    fetch('/__diagnostics')
      .then(function (r) {
        return r.json();
      })
      .then(overlay);
    connect();
    if (view === 'ebook') {
      toolbar();
      restore();
    }
  });
  if (view !== 'ebook') {
    window.PagedConfig = {
      auto: true,
      after: function () {
        toolbar();
        restore();
      },
    };
  }
})();
