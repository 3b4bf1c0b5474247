#!/usr/bin/env node
// Folio runs its TypeScript sources with no compile step between an edit and a build: compiled once per
// change into a mirror (bin/mirror.js), or, with FOLIO_COMPILE=off or a mirror that cannot be written,
// through tsx's loader.
import { compiledCli } from './mirror.js';

const compiled = await compiledCli();
let cli;
if (compiled) cli = await import(compiled);
else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../scripts/cli.ts');
}
process.exitCode = await cli.main(process.argv.slice(2));
