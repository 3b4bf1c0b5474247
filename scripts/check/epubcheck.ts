import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

export interface EpubcheckVerdict {
  errors: number;
  warnings: number;
  messages: { id: string; severity: string; message: string; where?: string }[];
  /** Which validator gave the verdict. */
  tool: 'epubcheck-ts' | 'epubcheck';
}

const JAR = '/usr/share/java/epubcheck.jar';

interface WorkerReply {
  ok: boolean;
  error?: string;
  fatalCount: number;
  errorCount: number;
  warningCount: number;
  messages: { id: string; severity: string; message: string; location?: { path: string; line?: number } }[];
}

let warm: Worker | undefined;

/** Starts the validator's worker now (its import and WebAssembly load), for a fastEpubcheck call to come. */
export function warmEpubcheck(): void {
  warm ??= startWorker();
}

function startWorker(): Worker {
  const w = new Worker(new URL('./epubcheck-worker.js', import.meta.url));
  w.unref(); // an idle worker (a build that failed before its EPUB) never keeps the process alive
  return w;
}

/**
 * @likecoin/epubcheck-ts (a TypeScript port of EPUBCheck, ~0.3 s, no JVM): the build's own gate, run in a
 * worker thread (scripts/check/epubcheck-worker.js) so that the main thread goes on with the press files.
 * docs/performance.md compares it with the real epubcheck on the seed and on broken EPUBs.
 */
export async function fastEpubcheck(data: Uint8Array): Promise<EpubcheckVerdict> {
  const w = warm ?? startWorker();
  warm = undefined;
  try {
    const r = await new Promise<WorkerReply>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`the epubcheck-ts worker exited (${code})`)));
      w.postMessage(data);
    });
    if (!r.ok) throw new Error(`epubcheck-ts failed: ${r.error}`);
    const messages = r.messages
      .filter((m) => ['fatal', 'error', 'warning'].includes(m.severity))
      .map((m) => ({
        id: m.id,
        severity: m.severity,
        message: m.message,
        where: m.location ? `${m.location.path}${m.location.line ? `:${m.location.line}` : ''}` : undefined,
      }));
    return { errors: r.fatalCount + r.errorCount, warnings: r.warningCount, messages, tool: 'epubcheck-ts' };
  } finally {
    void w.terminate();
  }
}

/**
 * The real epubcheck (Java, ~3 s of JVM start): `npm test` and `folio check`. Undefined if not installed.
 * Asynchronous: in a build (`--epubcheck java`) the PDF/X and its preflight go on while the JVM runs.
 */
export async function javaEpubcheck(file: string): Promise<EpubcheckVerdict | undefined> {
  if (!existsSync(JAR)) return undefined;
  // epubcheck exits 1 when it finds errors: its report is on stdout/stderr either way
  const out = await new Promise<string>((resolve) =>
    execFile('java', ['-jar', JAR, file], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }, (_e, stdout, stderr) =>
      resolve(`${stdout}${stderr}`),
    ),
  );
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
