import type { PreflightReport } from './preflight.js';
import { escapeXml } from '../render/escape.js';

const esc = escapeXml;

/** A page a print buyer can read: one table of checks per file, then every finding. */
export function preflightHtml(report: PreflightReport, title: string): string {
  const { summary } = report;
  const checks = summary.passed ? '<p class="ok">通过 Passed</p>' : '<p class="bad">未通过 Failed</p>';
  const verdict =
    summary.verdict === 'print-ready'
      ? `${checks}<p class="ok verdict">可付印 print-ready</p>`
      : `${checks}<p class="bad verdict">仅供校样 proof only</p><ul class="blockers">${summary.blockers
          .map((b) => `<li data-rule="${esc(b.rule)}">${esc(b.message)}</li>`)
          .join('')}</ul>`;
  const files = report.files
    .map(
      (f) =>
        `<section><h2>${esc(f.file)} <small>${esc(f.target)} · ${f.pages} ` +
        `${f.target === 'imposed' ? 'sheet sides' : 'pages'}${f.pdfx ? ` · ${esc(f.pdfx)}` : ''}</small></h2>` +
        `<ul>${f.checks.map((c) => `<li>${esc(c)}</li>`).join('')}</ul></section>`,
    )
    .join('\n');
  const rows = report.findings
    .map(
      (x) =>
        `<tr class="${x.severity}"><td>${x.severity}</td><td>${esc(x.target)}</td><td>${x.page ?? ''}</td>` +
        `<td>${esc(x.message)}${x.hint ? `<br><small>${esc(x.hint)}</small>` : ''}</td>` +
        `<td>${x.line ? `${esc(x.file)}:${x.line}` : ''}</td><td><code>${esc(x.ruleId)}</code></td></tr>`,
    )
    .join('\n');
  const head = '<tr><th>severity</th><th>target</th><th>page</th><th>message</th><th>source</th><th>rule</th></tr>';
  const findings = report.findings.length
    ? `<table><thead>${head}</thead><tbody>${rows}</tbody></table>`
    : '<p>None.</p>';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Preflight — ${esc(title)}</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:2em;max-width:70em;color:#222}
.ok{color:#176b2c;font-weight:bold}.bad{color:#a11;font-weight:bold}
table{border-collapse:collapse;width:100%;font-size:.9em}\
td,th{border-bottom:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
tr.error td:first-child{color:#a11;font-weight:bold}\
tr.warning td:first-child{color:#a60}tr.info td:first-child{color:#555}
small{color:#666}
</style></head><body>
<h1>Preflight — ${esc(title)}</h1>
${verdict}
<p>${summary.errors} errors · ${summary.warnings} warnings · ${summary.infos} notes</p>
${files}
<h2>Findings</h2>
${findings}
</body></html>
`;
}
