import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface EpubcheckVerdict {
  errors: number;
  warnings: number;
  messages: { id: string; severity: string; message: string; where?: string }[];
  /** Which validator gave the verdict. */
  tool: 'epubcheck-ts' | 'epubcheck';
}

const JAR = '/usr/share/java/epubcheck.jar';

/**
 * @likecoin/epubcheck-ts (a TypeScript port of EPUBCheck, ~0.3 s, no JVM): the build's own gate.
 * docs/performance.md compares it with the real epubcheck on the seed and on broken EPUBs.
 */
export async function fastEpubcheck(data: Uint8Array): Promise<EpubcheckVerdict> {
  const { EpubCheck } = await import('@likecoin/epubcheck-ts');
  const r = await EpubCheck.validate(data);
  const messages = r.messages
    .filter((m) => ['fatal', 'error', 'warning'].includes(String(m.severity).toLowerCase()))
    .map((m) => ({
      id: m.id,
      severity: String(m.severity).toLowerCase(),
      message: m.message,
      where: m.location ? `${m.location.path}${m.location.line ? `:${m.location.line}` : ''}` : undefined,
    }));
  return { errors: r.fatalCount + r.errorCount, warnings: r.warningCount, messages, tool: 'epubcheck-ts' };
}

/** The real epubcheck (Java, ~3 s of JVM start): `npm test` and `folio check`. Undefined if not installed. */
export function javaEpubcheck(file: string): EpubcheckVerdict | undefined {
  if (!existsSync(JAR)) return undefined;
  const r = spawnSync('java', ['-jar', JAR, file], { encoding: 'utf8' });
  const out = `${r.stdout}${r.stderr}`;
  const m = /Messages: (\d+) fatals? \/ (\d+) errors? \/ (\d+) warnings?/.exec(out);
  const messages = [...out.matchAll(/^(FATAL|ERROR|WARNING)\(([A-Z]+-\d+)\): (.*)$/gm)].map((x) => ({
    id: x[2]!,
    severity: x[1]!.toLowerCase(),
    message: x[3]!,
  }));
  return {
    errors: m ? Number(m[1]) + Number(m[2]) : 1,
    warnings: m ? Number(m[3]) : 0,
    messages,
    tool: 'epubcheck',
  };
}

export const EPUBCHECK_JAR = JAR;
