// Folio's TypeScript, compiled to JavaScript once per change of the sources and run from there: tsx's
// loader resolves and transforms every module of every run on a thread of its own (~0.3 s of a build on
// two cores). The mirror is keyed by each source's path, size and modification time, the compiler's and
// Node's versions, so an edit to scripts/ is simply a new mirror at the next run: no compile step.
// Each file is compiled by itself (esbuild, as tsx does, names kept), with import.meta.url set to its
// source's URL: the templates, profiles and worker it finds from there are the checkout's own.
// Plain JavaScript: it runs before any TypeScript can.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPTS = path.join(ROOT, 'scripts');
/** Inside node_modules, so that the compiled modules resolve Folio's dependencies as the sources do. */
const MIRRORS = path.join(ROOT, 'node_modules', '.cache', 'folio-js');
/** Mirrors kept: the newest used (a preview started before an edit keeps loading from its own). */
const KEEP = 4;

/**
 * The compiled `cli.js` for the sources as they are now, made if missing; undefined (run the sources
 * through tsx) with FOLIO_COMPILE=off or when the mirror cannot be made.
 */
export async function compiledCli() {
  if (/^(off|0|false|no)$/i.test(process.env.FOLIO_COMPILE ?? '')) return undefined;
  try {
    const sources = listSources();
    const { version } = JSON.parse(readFileSync(require.resolve('esbuild/package.json'), 'utf8'));
    const key = createHash('sha256')
      .update(`folio-mirror-1 ${ROOT} esbuild@${version} node@${process.version}\n`)
      .update(sources.map((s) => `${s.rel} ${s.size} ${s.mtimeMs}`).join('\n'))
      .digest('hex')
      .slice(0, 32);
    const dir = path.join(MIRRORS, key);
    const cli = path.join(dir, 'cli.js');
    if (!existsSync(cli)) compile(await import('esbuild'), sources, dir);
    const now = new Date();
    utimesSync(dir, now, now); // a use: the newest are kept
    return pathToFileURL(cli).href;
  } catch {
    return undefined;
  }
}

/** Every .ts under scripts/ (not .d.ts), with what the key is made of. */
function listSources() {
  const out = [];
  for (const e of readdirSync(SCRIPTS, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts') || e.name.endsWith('.d.ts')) continue;
    const abs = path.join(e.parentPath, e.name);
    const st = statSync(abs);
    out.push({ abs, rel: path.relative(SCRIPTS, abs), size: st.size, mtimeMs: st.mtimeMs });
  }
  return out.sort((a, b) => (a.rel < b.rel ? -1 : 1));
}

/** Compiles into a folder of its own, then renames it into place: a reader never sees half a mirror. */
function compile(esbuild, sources, dir) {
  const tmp = `${dir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  for (const s of sources) {
    const { code } = esbuild.transformSync(readFileSync(s.abs, 'utf8'), {
      loader: 'ts',
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node}`,
      charset: 'utf8',
      keepNames: true, // as tsx: page.evaluate and the preview's client rely on __name
      sourcefile: s.abs,
      define: { 'import.meta.url': JSON.stringify(pathToFileURL(s.abs).href) },
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: false, useDefineForClassFields: true } },
    });
    const out = path.join(tmp, s.rel.replace(/\.ts$/, '.js'));
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, code);
  }
  try {
    renameSync(tmp, dir);
  } catch (e) {
    // another run made the same mirror first: use that one
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(path.join(dir, 'cli.js'))) throw e;
  }
  prune(path.basename(dir));
}

function prune(current) {
  const entries = readdirSync(MIRRORS, { withFileTypes: true }).filter((e) => e.isDirectory());
  // a half-made mirror of a run that was killed
  for (const e of entries.filter((x) => x.name.endsWith('.tmp')))
    if (Date.now() - statSync(path.join(MIRRORS, e.name)).mtimeMs > 600_000)
      rmSync(path.join(MIRRORS, e.name), { recursive: true, force: true });
  const mirrors = entries
    .filter((e) => e.name !== current && !e.name.endsWith('.tmp'))
    .map((e) => ({ name: e.name, used: statSync(path.join(MIRRORS, e.name)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const m of mirrors.slice(KEEP - 1)) rmSync(path.join(MIRRORS, m.name), { recursive: true, force: true });
}
