import type { Diagnostic } from '../diagnostics/diagnostic.js';

/** Schemes that would run code in the preview's page instead of opening an editor. */
const UNSAFE = /^(javascript|data|vbscript|blob|file|https?):/i;

/**
 * Checks an editor link template (`FOLIO_EDITOR_URL` or `folio preview --editor`): a URL in the editor's
 * own scheme holding `{file}` (and usually `{line}`), e.g. `vscode://file/{file}:{line}`. The problem, or
 * undefined when the template is usable.
 * @example checkEditorUrl('vscode://file/{file}:{line}') // undefined
 */
export function checkEditorUrl(template: string): Diagnostic | undefined {
  const problem = !/^[a-z][a-z0-9+.-]*:/i.test(template)
    ? 'does not start with a scheme (vscode:, idea:, subl:, …)'
    : UNSAFE.test(template)
      ? `uses the ${template.split(':')[0]}: scheme, which the preview will not link to`
      : !template.includes('{file}')
        ? 'has no {file} placeholder'
        : undefined;
  if (!problem) return undefined;
  return {
    file: 'FOLIO_EDITOR_URL',
    line: 0,
    column: 0,
    severity: 'error',
    message: `Editor link template "${template}" ${problem}`,
    ruleId: 'preview-editor-url',
    hint: "Write it as the editor's URL with {file}, {line} and {column}, e.g. vscode://file/{file}:{line}:{column}.",
  };
}
