// folio doctor: every external tool Folio runs, found or not, its version, what needs it, how to install it.
import type { Command } from 'commander';
import { examples, type FolioCommand, formatOption, type OutputFormat } from './shared.js';

async function runDoctor(o: { format: OutputFormat }): Promise<number> {
  const { diagnose, doctorTable } = await import('../doctor/doctor.js');
  const statuses = await diagnose();
  const missing = statuses.filter((s) => !s.ok && !s.optional);
  if (o.format === 'json') process.stdout.write(`${JSON.stringify({ tools: statuses }, null, 2)}\n`);
  else {
    process.stdout.write(`${doctorTable(statuses)}\n`);
    const ok = statuses.filter((s) => s.ok).length;
    const optional = statuses.filter((s) => !s.ok && s.optional).map((s) => s.id);
    const more = optional.length ? `; optional, missing: ${optional.join(', ')}` : '';
    process.stdout.write(
      missing.length
        ? `doctor: ${missing.length} required tool(s) missing or too old; the builds that need them stop\n`
        : `doctor: every required tool found (${ok} of ${statuses.length} tools${more})\n`,
    );
  }
  return missing.length ? 1 : 0;
}

export const doctor: FolioCommand<[{ format: OutputFormat }]> = {
  define: (program: Command) =>
    program
      .command('doctor')
      .description('list the external tools Folio runs (Chromium, Ghostscript, poppler, qpdf, Java, epubcheck)')
      .addOption(formatOption())
      .addHelpText('after', examples('folio doctor', 'FOLIO_CHROMIUM=/opt/chromium/chrome folio doctor --format json')),
  run: runDoctor,
};
