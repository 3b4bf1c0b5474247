// Folio preview, core: settings kept in the URL, the build state from the server, live reload that
// keeps the page you were on, and the overlay for a broken save. Served as /_folio/core.js (same
// origin: the book's Content-Security-Policy holds). The other client files hang off FolioPreview.
(function () {
  'use strict';
  var F = (window.FolioPreview = window.FolioPreview || {});
  var KEY = 'folio-preview-place';
  var VIEWS = ['booklet', 'press', 'ebook'];
  var DEFAULTS = { layout: 'spread', zoom: 'page', panel: 'open', measure: '32', font: '18' };
  var params = new URLSearchParams(location.search);

  F.view = VIEWS.indexOf(params.get('view')) >= 0 ? params.get('view') : 'booklet';
  F.paged = F.view !== 'ebook';
  F.build = { diagnostics: [], preflight: null, editor: '', cwd: '', rebuiltAt: 0, rebuildMs: 0, building: false };
  document.documentElement.setAttribute('data-folio-view', F.view);

  /** A viewer setting: from the URL (so a reload keeps it), else its default. */
  F.setting = function (name) {
    return params.get(name) || DEFAULTS[name];
  };
  F.setSetting = function (name, value) {
    params.set(name, value);
    history.replaceState(null, '', '?' + params.toString());
    document.documentElement.setAttribute('data-folio-' + name, value);
  };
  ['layout', 'zoom', 'panel'].forEach(function (n) {
    document.documentElement.setAttribute('data-folio-' + n, F.setting(n));
  });
  /** The URL of another view, keeping the other settings. */
  F.viewHref = function (view) {
    var next = new URLSearchParams(params);
    next.set('view', view);
    return '?' + next.toString();
  };

  /** A small element helper: el('div', { id: 'x', text: '…' }, [children]). */
  F.el = function (tag, props, children) {
    var e = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      if (k === 'text') e.textContent = props[k];
      else if (k === 'on') Object.keys(props.on).forEach((ev) => e.addEventListener(ev, props.on[ev]));
      else e.setAttribute(k, props[k]);
    });
    (children || []).forEach(function (c) {
      if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  };
  F.where = function (d) {
    return d.file + (d.line ? ':' + d.line + (d.column ? ':' + d.column : '') : '');
  };

  function overlay(diagnostics) {
    var box = document.getElementById('folio-overlay');
    if (!box) {
      box = F.el('div', { id: 'folio-overlay', role: 'alert' });
      document.body.appendChild(box);
    }
    var shown = diagnostics.filter(function (d) {
      return d.severity === 'error';
    });
    box.style.display = shown.length ? 'block' : 'none';
    box.textContent = shown
      .map(function (d) {
        var line = F.where(d) + ' ' + d.severity + ' ' + d.message + ' ' + d.ruleId;
        return line + (d.hint ? '\n  hint: ' + d.hint : '');
      })
      .join('\n');
  }

  function setBuild(next) {
    Object.keys(next).forEach(function (k) {
      F.build[k] = next[k];
    });
    if (F.onBuild) F.onBuild(F.build);
  }

  /** Where the reader is: the page (paged views) or the block at the top (e-book), and how far into it. */
  function place() {
    if (F.currentPlace) return F.currentPlace();
    return null;
  }

  function restore() {
    var saved = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
    if (saved && F.restorePlace) F.restorePlace(JSON.parse(saved));
    window.__folioReady = true;
    document.documentElement.setAttribute('data-folio-ready', '1');
  }

  function connect() {
    var es = new EventSource('/__events');
    es.addEventListener('building', function () {
      setBuild({ building: true });
    });
    es.addEventListener('reload', function () {
      var p = place();
      if (p) sessionStorage.setItem(KEY, JSON.stringify(p));
      location.reload();
    });
    es.addEventListener('diagnostics', function (e) {
      var state = JSON.parse(e.data);
      setBuild(Object.assign({ building: false }, state));
      overlay(state.diagnostics);
    });
  }

  function loadState() {
    return fetch('/__state', { cache: 'no-store' })
      .then(function (r) {
        return r.json();
      })
      .then(function (state) {
        setBuild(state);
        overlay(state.diagnostics);
      });
  }

  /** Runs once the book is laid out (paged views) or parsed (e-book): viewer, panel, then the saved place. */
  function start() {
    var steps = F.paged ? [F.measure, F.viewer, F.panel] : [F.reader, F.panel];
    steps.forEach(function (init) {
      if (init) init();
    });
    restore();
  }

  F.overlay = overlay;
  window.__folioPreview = { restore: restore, overlay: overlay };
  var stateLoaded;
  document.addEventListener('DOMContentLoaded', function () {
    stateLoaded = loadState();
    connect();
    if (!F.paged) stateLoaded.then(start, start);
  });
  if (F.paged) {
    window.PagedConfig = {
      auto: true,
      before: function () {
        if (F.beforeLayout) return F.beforeLayout();
      },
      after: function () {
        return (stateLoaded || Promise.resolve()).then(start, start);
      },
    };
  }
})();
