// Offline in fact: a whole seed build (Chromium, Ghostscript, poppler, Java's epubcheck — --epubcheck java —
// and every child) under strace, which records every connect, send and write to a network address. No packet
// may leave the machine and no name may be looked up.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrace, summarise, traced } from './helpers/strace.js';

// Lines as strace -f -yy wrote them for a build before the fix (Debian's wrapper, no resolver rules).
const BEFORE = [
  '20255 connect(109<UDP:[570225]>, {sa_family=AF_INET, sin_port=htons(53), ' +
    'sin_addr=inet_addr("10.255.255.53")}, 16 <unfinished ...>',
  '20255 <... connect resumed>) = 0',
  '20255 sendmmsg(109<UDP:[192.0.2.2:46137->10.255.255.53:53]>,  <unfinished ...>',
  '20255 <... sendmmsg resumed>[{msg_hdr={msg_name=NULL, msg_namelen=0}, msg_len=34}], 2, MSG_NOSIGNAL) = 2',
  '21831 connect(24<UDPv6:[579242]>, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), ' +
    'inet_pton(AF_INET6, "2001:4860:4860::8888", &sin6_addr), sin6_scope_id=0}, 28) = 0',
  '20147 write(24<TCP:[127.0.0.1:42584->127.0.0.1:43069]>, "GET /devtools/browser/9a29 HTTP/"..., 238) = 238',
  '20150 connect(30<TCP:[631]>, {sa_family=AF_INET, sin_port=htons(443), ' +
    'sin_addr=inet_addr("142.250.1.1")}, 16) = -1 EINPROGRESS',
].join('\n');

describe('the trace reader', () => {
  it('finds DNS queries, a TCP connect out and writes, and tells a UDP route lookup from a packet', () => {
    const t = parseTrace(BEFORE);
    expect(summarise(t.leaks)).toEqual([
      '? connect udp 10.255.255.53:53 ×1',
      '? sendmmsg udp 10.255.255.53:53 ×1',
      '? connect tcp 142.250.1.1:443 ×1',
    ]);
    expect(summarise(t.routeProbes)).toEqual(['? connect udp 2001:4860:4860::8888:443 ×1']);
    expect(t.calls.filter((c) => c.address === '127.0.0.1')).toHaveLength(1); // loopback is fine
    // a datagram sent on the probed socket turns the probe into a leak
    const sent = parseTrace(
      `${BEFORE}\n21831 sendto(24<UDPv6:[[fd00::2]:1->[2001:4860:4860::8888]:443]>, "x", 1, 0, NULL, 0) = 1`,
    );
    expect(sent.routeProbes).toEqual([]);
    expect(summarise(sent.leaks)).toContain('? connect udp 2001:4860:4860::8888:443 ×1');
  });
});

describe('a seed build under strace', () => {
  it('looks up no name and sends no packet to any address but loopback', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'folio-offline-'));
    const traceFile = path.join(out, 'strace.txt');
    const r = await traced(
      [
        process.execPath,
        'bin/folio.js',
        'build',
        '--epubcheck',
        'java',
        '--manuscript',
        'manuscript',
        '--out',
        path.join(out, 'dist'),
      ],
      traceFile,
    );
    expect(r.status, r.stderr).toBe(0);
    const t = parseTrace(readFileSync(traceFile, 'utf8'));
    // the trace covered every program that could talk: the browser and its children, Ghostscript, Java
    for (const p of [/chromium$/, /\/proc\/self\/exe$/, /\/gs$/, /\/java$/, /pdffonts$/]) {
      expect(
        [...t.programs].some((x) => p.test(x)),
        `${p} ran: ${[...t.programs].join(' ')}`,
      ).toBe(true);
    }
    expect(summarise(t.leaks), 'packets that would leave the machine').toEqual([]);
    expect(t.calls.filter((c) => c.port === 53)).toEqual([]);
    // Chromium's network service asks the kernel for a route to an IPv6 address (a UDP connect that
    // sends nothing) to learn whether IPv6 works; no switch turns it off. It is the one outward call left.
    for (const p of t.routeProbes) {
      expect(`${p.program} ${p.proto} ${p.address}:${p.port}`).toBe('/proc/self/exe udp 2001:4860:4860::8888:443');
    }
    // no IPv4 socket at all any more: DevTools runs over a pipe, the resolver is never asked
    expect([...t.sockets.keys()].filter((k) => k.startsWith('AF_INET '))).toEqual([]);
  });
});
