// The CLI: declares the program and dispatches to one module per command (scripts/commands/).
import { Command } from 'commander';
import { build } from './commands/build.js';
import { check } from './commands/check.js';
import { importCommand } from './commands/import.js';
import { lint } from './commands/lint.js';
import { placeholders } from './commands/placeholders.js';
import { preflight } from './commands/preflight.js';
import { preview } from './commands/preview.js';
import { proof } from './commands/proof.js';
import { exitCodeFor, type FolioCommand } from './commands/shared.js';
import { FOLIO_VERSION } from './version.js';

/** In the order `folio --help` lists them. */
const COMMANDS: FolioCommand<never[]>[] = [build, preflight, importCommand, placeholders, preview, proof, lint, check];

/** Runs the CLI; returns the exit code (0 ok, 1 content/build error, 2 usage error). */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('folio')
    .description('Markdown manuscript → print booklet (and, later, press PDFs and EPUB)')
    .version(FOLIO_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  let code = 0;
  for (const command of COMMANDS) {
    // commander calls an action with the arguments, then the options, then the command itself.
    const run = command.run as (...args: unknown[]) => Promise<number>;
    command.define(program).action(async (...args: unknown[]) => {
      code = await run(...args.slice(0, -1));
    });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    return exitCodeFor(e);
  }
}
