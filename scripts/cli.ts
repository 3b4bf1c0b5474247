// The CLI: declares the program and dispatches to one module per command (scripts/commands/).
import { Command } from 'commander';
import { build } from './commands/build.js';
import { check } from './commands/check.js';
import { doctor } from './commands/doctor.js';
import { importCommand } from './commands/import.js';
import { lint } from './commands/lint.js';
import { newCommand } from './commands/new.js';
import { placeholders } from './commands/placeholders.js';
import { preflight } from './commands/preflight.js';
import { preview } from './commands/preview.js';
import { proof } from './commands/proof.js';
import { examples, exitCodeFor, type FolioCommand } from './commands/shared.js';
import { FOLIO_VERSION } from './version.js';

/** In the order `folio --help` lists them. */
const COMMANDS: FolioCommand<never[]>[] = [
  newCommand,
  build,
  preview,
  proof,
  check,
  lint,
  preflight,
  importCommand,
  placeholders,
  doctor,
];

/** Runs the CLI; returns the exit code (0 ok, 1 content/build error, 2 usage error). */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('folio')
    .description(
      'One Markdown manuscript → a print booklet (PDF), press PDFs (bleed and marks, PDF/X, imposed) and an EPUB 3',
    )
    .version(FOLIO_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText(
      'after',
      `${examples('folio new 新的一本书 --author 作者甲', 'cd 新的一本书 && folio build', 'folio preview')}` +
        '\n`folio <command> --help` shows each command with its options and examples.\n',
    );

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
    return exitCodeFor(e, argv[0]);
  }
}
