import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { cacheDir } from '../cache/cache.js';
import { type Diagnostic, FolioError } from '../diagnostics/diagnostic.js';
import { writeAtomic } from '../output/write.js';
import { locateChromium } from '../paginate/chromium-path.js';
import type { Target } from '../targets.js';

const run = promisify(execFile);

/**
 * What a tool is needed for: a build target, the fidelity check after a build, the real epubcheck
 * (Java: `folio check`, `folio build --epubcheck java`), or another command.
 */
export type Need = Target | 'check' | 'epubcheck-java' | 'typography' | 'proof' | 'placeholders';

/** How a need reads in the doctor's table and the build's hints. */
const needLabel = (n: Need): string => (n === 'epubcheck-java' ? 'folio check, build --epubcheck java' : n);

export const EPUBCHECK_JAR = '/usr/share/java/epubcheck.jar';

interface ToolSpec {
  id: string;
  label: string;
  needs: Need[];
  /** Missing, it costs a check (a warning), not the build. */
  optional?: boolean;
  locate: () => Promise<{ path?: string; problem?: string }>;
  version: (exe: string) => Promise<string | undefined>;
  /** The oldest version Folio works with (major, minor). */
  min?: [number, number];
  /** The Debian package that brings it. */
  apt: string;
  /** Another way to provide it, appended to the install hint. */
  or?: string;
}

export interface ToolStatus {
  id: string;
  label: string;
  needs: Need[];
  optional: boolean;
  ok: boolean;
  path?: string;
  version?: string;
  problem?: string;
  /** How to install it: `Install it with …`. */
  hint: string;
}

const ALL_TARGETS: Need[] = ['booklet', 'press', 'press-pdfx', 'imposed', 'epub'];
const PREFLIGHT: Need[] = ['press', 'press-pdfx', 'imposed'];

/** The first executable of that name on PATH. */
async function onPath(name: string, label = name): Promise<{ path?: string; problem?: string }> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    if (
      await access(file, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return { path: file };
  }
  return { problem: `${label} was not found on PATH` };
}

/** Runs `exe args` and reads a version number from what it prints (some tools print it on stderr). */
const versionOf =
  (args: string[], pattern: RegExp) =>
  async (exe: string): Promise<string | undefined> => {
    const r = await run(exe, args, { timeout: 15_000 }).catch((e: { stdout?: string; stderr?: string }) => e);
    return pattern.exec(`${r.stdout ?? ''}\n${r.stderr ?? ''}`)?.[1];
  };

/** epubcheck's version from its jar's manifest (no Java start-up). */
async function epubcheckVersion(jar: string): Promise<string | undefined> {
  const { default: JSZip } = await import('jszip');
  const zip = await JSZip.loadAsync(await readFile(jar));
  const manifest = (await zip.file('META-INF/MANIFEST.MF')?.async('string')) ?? '';
  return /Implementation-Version:\s*(\S+)/.exec(manifest)?.[1];
}

const poppler = (id: string, needs: Need[]): ToolSpec => ({
  id,
  label: `${id} (poppler-utils)`,
  needs,
  locate: () => onPath(id),
  version: versionOf(['-v'], /version (\d+\.\d+\.\d+)/),
  min: [20, 9],
  apt: 'poppler-utils',
});

/** Every external program Folio runs, what for, and how to install it on Debian. */
export const TOOLS: ToolSpec[] = [
  {
    id: 'chromium',
    label: 'Chromium',
    needs: [...ALL_TARGETS, 'typography', 'placeholders'],
    locate: () => Promise.resolve(locateChromium()),
    version: versionOf(['--version'], /(\d+\.\d+\.\d+\.\d+)/),
    min: [120, 0],
    apt: 'chromium',
    or: 'set FOLIO_CHROMIUM=/path/to/chromium',
  },
  {
    id: 'gs',
    label: 'Ghostscript (gs)',
    needs: ['press-pdfx', 'imposed'],
    locate: () => onPath('gs', 'Ghostscript (gs)'),
    version: versionOf(['--version'], /^(\d+\.\d+(?:\.\d+)?)/m),
    min: [9, 50],
    apt: 'ghostscript',
  },
  {
    id: 'qpdf',
    label: 'qpdf',
    needs: ['press-pdfx', 'imposed'],
    locate: () => onPath('qpdf'),
    version: versionOf(['--version'], /qpdf version (\d+\.\d+\.\d+)/),
    min: [10, 0],
    apt: 'qpdf',
  },
  {
    id: 'mutool',
    label: 'mutool (mupdf-tools)',
    needs: ['press-pdfx', 'imposed'],
    locate: () => onPath('mutool', 'mutool (mupdf-tools)'),
    version: versionOf(['-v'], /version (\d+\.\d+(?:\.\d+)?)/),
    min: [1, 17],
    apt: 'mupdf-tools',
  },
  poppler('pdffonts', PREFLIGHT),
  poppler('pdfimages', PREFLIGHT),
  poppler('pdftotext', [...PREFLIGHT, 'check']),
  poppler('pdftoppm', ['proof']),
  {
    id: 'java',
    label: 'Java',
    needs: ['epubcheck-java'],
    optional: true,
    locate: () => onPath('java'),
    version: versionOf(['-version'], /version "([^"]+)"/),
    apt: 'default-jre-headless',
  },
  {
    id: 'epubcheck',
    label: 'epubcheck',
    needs: ['epubcheck-java'],
    optional: true,
    locate: async () =>
      (await stat(EPUBCHECK_JAR).catch(() => undefined))?.isFile()
        ? { path: EPUBCHECK_JAR }
        : { problem: `${EPUBCHECK_JAR} not found` },
    version: epubcheckVersion,
    min: [4, 2],
    apt: 'epubcheck',
  },
];

const tooOld = (version: string | undefined, min: [number, number] | undefined): boolean => {
  if (!version || !min) return false;
  const [major = 0, minor = 0] = version.split(/[._]/).map(Number);
  return major < min[0] || (major === min[0] && minor < min[1]);
};

/** Versions already read, keyed by the executable's real path, size and modification time. */
type VersionCache = Record<string, string>;
const cacheFile = () => {
  const dir = cacheDir();
  return dir && path.join(dir, 'doctor', 'versions.json');
};

async function readCache(): Promise<VersionCache> {
  const file = cacheFile();
  if (!file) return {};
  return (JSON.parse(await readFile(file, 'utf8').catch(() => '{}')) as VersionCache | null) ?? {};
}

async function checkTool(spec: ToolSpec, cache: VersionCache): Promise<ToolStatus> {
  const or = spec.or ? `, or ${spec.or}` : '';
  const hint = `Install it with \`bash scripts/setup.sh\` (apt-get install ${spec.apt})${or}.`;
  const base = { id: spec.id, label: spec.label, needs: spec.needs, optional: !!spec.optional, hint };
  const found = await spec.locate();
  if (!found.path) return { ...base, ok: false, problem: found.problem };
  const real = await realpath(found.path).catch(() => found.path!);
  const st = await stat(real).catch(() => undefined);
  const key = `${spec.id}:${real}:${st?.size}:${st?.mtimeMs}`;
  const version = cache[key] ?? (await spec.version(found.path).catch(() => undefined));
  if (version) cache[key] = version;
  if (!version)
    return { ...base, ok: false, path: found.path, problem: `${found.path} does not run (no version from it)` };
  if (tooOld(version, spec.min))
    return {
      ...base,
      ok: false,
      path: found.path,
      version,
      problem: `${spec.label} ${version} is older than ${spec.min!.join('.')}, the oldest Folio works with`,
    };
  return { ...base, ok: true, path: found.path, version };
}

/**
 * Finds each tool (of those `needs` asks for; all by default) and reads its version. Versions are
 * cached by executable (path, size, mtime), so a build's check costs a few stat calls once warm.
 */
export async function diagnose(needs?: Need[]): Promise<ToolStatus[]> {
  const specs = needs ? TOOLS.filter((t) => t.needs.some((n) => needs.includes(n))) : TOOLS;
  const cache = await readCache();
  const before = JSON.stringify(cache);
  const statuses = await Promise.all(specs.map((s) => checkTool(s, cache)));
  const file = cacheFile();
  if (file && JSON.stringify(cache) !== before)
    await writeAtomic(file, `${JSON.stringify(cache, null, 2)}\n`).catch(() => {});
  return statuses;
}

/**
 * One diagnostic per tool that is missing or too old: errors for required tools, warnings for optional
 * ones (a missing epubcheck costs the EPUB's validation, not the build) — unless the user asked for that
 * tool by name (`folio build --epubcheck java`: Java and epubcheck are then required).
 */
export function toolDiagnostics(statuses: ToolStatus[], needs?: Need[]): Diagnostic[] {
  const askedFor = (s: ToolStatus) => !!needs?.includes('epubcheck-java') && s.needs.includes('epubcheck-java');
  return statuses
    .filter((s) => !s.ok)
    .map((s) => {
      const uses = (needs ? s.needs.filter((n) => needs.includes(n)) : s.needs).map(needLabel);
      return {
        file: s.id,
        line: 0,
        column: 0,
        severity: s.optional && !askedFor(s) ? ('warning' as const) : ('error' as const),
        message: s.problem!,
        ruleId: s.id === 'chromium' ? 'browser-missing' : s.version ? 'tool-version' : 'tool-missing',
        hint: `${s.hint} Needed by ${uses.join(', ')}; \`folio doctor\` lists every tool.`,
      };
    });
}

/**
 * What a build of these targets needs; the fidelity check reads the booklet, the press PDF or the EPUB
 * (poppler), and validates the EPUB in-process (epubcheck-ts): Java only with `--epubcheck java`.
 */
export function neededTools(targets: readonly Target[], check: boolean, epubcheck: 'fast' | 'java' = 'fast'): Need[] {
  const checked = check && targets.some((t) => t === 'booklet' || t === 'press' || t === 'epub');
  const java = checked && epubcheck === 'java' && targets.includes('epub');
  return [...targets, ...(checked ? ['check' as const] : []), ...(java ? ['epubcheck-java' as const] : [])];
}

/**
 * The check `folio build` runs first: the tools the targets need (and `check`, the fidelity check
 * after the build). A missing required tool stops the build with one diagnostic per tool, before
 * anything starts; missing optional ones come back as warnings.
 */
export async function requireTools(needs: Need[]): Promise<Diagnostic[]> {
  const found = toolDiagnostics(await diagnose(needs), needs);
  const errors = found.filter((d) => d.severity === 'error');
  if (errors.length) throw new FolioError(errors);
  return found;
}

/** `folio doctor`'s table: tool, status, version, path, what needs it; then the install hints. */
export function doctorTable(statuses: ToolStatus[]): string {
  const rows = statuses.map((s) => [
    s.label,
    s.ok ? 'ok' : s.optional ? 'missing (optional)' : s.version ? 'TOO OLD' : 'MISSING',
    s.version ?? '-',
    s.path ?? '-',
    s.needs.map(needLabel).join(', '),
  ]);
  const head = ['tool', 'status', 'version', 'path', 'needed by'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const problems = statuses.filter((s) => !s.ok).map((s) => `${s.problem}\n  ${s.hint}`);
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ...problems].join('\n');
}
