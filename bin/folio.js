#!/usr/bin/env node
// Folio runs its TypeScript sources directly through tsx: no compile step between edit and build.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../scripts/cli.ts');
process.exitCode = await main(process.argv.slice(2));
