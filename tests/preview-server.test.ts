// `folio preview` as a hostile page or client would talk to it: raw HTTP over a socket to the real CLI
// process, with odd Host headers, malformed paths and a symlink out of the manuscript.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manuscript } from './helpers/fixture.js';

let child: ChildProcess;
let port = 0;
let stderr = '';
const outside = mkdtempSync(path.join(tmpdir(), 'folio-outside-'));
const secret = path.join(outside, 'secret.txt');

/** Sends `request` verbatim and returns the status line's code and the body. */
function raw(request: string): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (data += d));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), head, body });
    });
    socket.write(request);
  });
}
const get = (target: string, host = `127.0.0.1:${port}`) =>
  raw(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);

beforeAll(async () => {
  writeFileSync(secret, 'TOP SECRET outside the manuscript\n');
  const dir = manuscript();
  symlinkSync(secret, path.join(dir, 'images', 'leak.png'));
  symlinkSync(outside, path.join(dir, 'out-dir'));
  mkdirSync(path.join(dir, 'sub'));
  symlinkSync(path.join(dir, 'images', 'photo.png'), path.join(dir, 'sub', 'inside.png')); // stays inside
  child = spawn(process.execPath, ['bin/folio.js', 'preview', '-m', dir, '--port', '0'], {
    env: { ...process.env, NO_COLOR: '1' },
  });
  child.stderr!.on('data', (d) => (stderr += d));
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /preview: http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`preview exited ${code}: ${stderr}`)));
  });
}, 60_000);

afterAll(() => {
  child?.kill('SIGINT');
});

describe('folio preview server', () => {
  it('binds 127.0.0.1 only and serves the book to Host 127.0.0.1:PORT and localhost:PORT', async () => {
    expect((await get('/index.html')).status).toBe(200);
    expect((await get('/index.html', `localhost:${port}`)).status).toBe(200);
    expect((await get('/index.html', `LOCALHOST:${port}`)).status).toBe(200);
    expect((await get('/m/images/photo.png')).status).toBe(200);
  });

  it('refuses any other Host with 403 (DNS rebinding), also a missing Host', async () => {
    for (const host of [
      'attacker.example',
      `attacker.example:${port}`,
      '127.0.0.1',
      `127.0.0.1:${port + 1}`,
      `localhost.attacker.example:${port}`,
      `[::1]:${port}`,
      `127.0.0.1:${port}@attacker.example`,
      '',
    ]) {
      const r = await get('/index.html', host);
      expect(r.status, host).toBeGreaterThanOrEqual(400);
      expect(r.body, host).not.toContain('<html');
    }
    expect((await get('/index.html', 'attacker.example')).status).toBe(403);
    expect((await raw('GET /index.html HTTP/1.0\r\n\r\n')).status).toBe(403);
    // an absolute-form target naming another host is not served either
    expect((await get(`http://attacker.example/index.html`)).status).toBe(400);
  });

  it('answers a malformed path with 400 and keeps serving', async () => {
    for (const target of ['/%E0%A4%A', '/%', '/m/%ZZ', '/m/images/%00photo.png', '/m/..%5c..%5cetc%5cpasswd']) {
      expect((await get(target)).status, target).toBe(400);
    }
    expect((await raw('GARBAGE\r\n\r\n')).status).toBe(400);
    expect((await raw(`GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: x\r\n\r\n`)).status).toBe(
      400,
    );
    expect((await get('/index.html')).status).toBe(200);
    expect(child.exitCode).toBeNull();
  });
});

describe('folio preview serves only confined files', () => {
  it('serves no file outside the manuscript: not by .., not through a symlink', async () => {
    for (const target of [
      '/m/../../../../etc/passwd',
      '/m/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/m/..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/m/images/leak.png',
      '/m/out-dir/secret.txt',
    ]) {
      const r = await get(target);
      expect(r.status, target).toBe(404);
      expect(r.body).not.toContain('TOP SECRET');
      expect(r.body).not.toContain('root:');
    }
    const inside = await get('/m/sub/inside.png');
    expect(inside.status).toBe(200);
    expect(inside.body).toContain('\x89PNG\r\n');
  });

  it('refuses other methods and is still alive after all of it', async () => {
    expect(
      (
        await raw(
          `POST /index.html HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        )
      ).status,
    ).toBe(405);
    expect((await get('/index.html')).status).toBe(200);
    expect(child.exitCode).toBeNull();
    expect(stderr).not.toMatch(/URIError|internal error|at .*\.ts:\d+/);
  });
});
