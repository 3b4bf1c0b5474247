import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Folio's version, from package.json (a module of its own so that `folio --help` loads nothing else). */
export const FOLIO_VERSION: string = JSON.parse(
  readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8'),
).version;
