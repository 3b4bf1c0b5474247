// Reads `strace -f -yy -e trace=network,process,write,writev` output: which program sent what where.
import { spawn } from 'node:child_process';

export interface NetCall {
  pid: number;
  /** The program the process runs (its last execve, inherited across fork/clone). */
  program: string;
  syscall: string;
  /** 'tcp' or 'udp' from the fd, when strace could name it. */
  proto: 'tcp' | 'udp' | '?';
  address: string;
  port: number;
  line: string;
}

export interface Trace {
  /** Every connect, send or write whose destination is an IPv4 or IPv6 address. */
  calls: NetCall[];
  /**
   * What would put a packet on a non-loopback network or ask a resolver: a TCP connect (a SYN), any
   * send or write to a non-loopback address, anything to port 53.
   */
  leaks: NetCall[];
  /** UDP connects to a non-loopback address on which nothing is ever sent: a route lookup, no packet. */
  routeProbes: NetCall[];
  programs: Set<string>;
  /** Sockets opened, by kind ("AF_INET SOCK_DGRAM"). */
  sockets: Map<string, number>;
}

const isLoopback = (address: string) =>
  address.startsWith('127.') || address === '::1' || /^::ffff:127\./i.test(address);

const SOCKADDR =
  /sa_family=AF_INET6?, sin6?_port=htons\((\d+)\), (?:sin6_flowinfo=[^,]+, )?(?:sin_addr=inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)")/g;
/** strace -yy names a connected socket's ends: `23<UDPv6:[[fd00::2]:46532->[2001:4860:4860::8888]:443]>`. */
const FD_REMOTE = /^\w+\(\d+<(TCP|UDP)(?:v6)?:\[.*?->(?:\[([^\]]+)\]|([\d.]+)):(\d+)\]>/;

/** One logical line per syscall: the halves of `<unfinished ...>` / `<... resumed>` joined. */
function* syscalls(text: string): Generator<{ pid: number; call: string }> {
  const pending = new Map<number, string>();
  for (const raw of text.split('\n')) {
    const m = /^(\d+)\s+(.*)$/.exec(raw);
    if (!m) continue;
    const pid = Number(m[1]);
    let rest = m[2]!;
    if (rest.endsWith('<unfinished ...>')) {
      pending.set(pid, rest.slice(0, -'<unfinished ...>'.length));
      continue;
    }
    const resumed = /^<\.\.\. (\w+) resumed>(.*)$/.exec(rest);
    if (resumed) rest = (pending.get(pid) ?? `${resumed[1]}(`) + resumed[2];
    pending.delete(pid);
    yield { pid, call: rest };
  }
}

/** The destinations a syscall names: its sockaddr arguments, else the connected fd's remote end. */
function destinations(call: string): { proto: NetCall['proto']; address: string; port: number }[] {
  const fd = FD_REMOTE.exec(call);
  const kind = fd?.[1] ?? /<(UDP|TCP)/.exec(call)?.[1];
  const proto: NetCall['proto'] = kind === 'TCP' ? 'tcp' : kind === 'UDP' ? 'udp' : '?';
  const named = [...call.matchAll(SOCKADDR)].map((a) => ({ proto, port: Number(a[1]), address: a[2] ?? a[3]! }));
  if (named.length) return named;
  return fd ? [{ proto, address: fd[2] ?? fd[3]!, port: Number(fd[4]) }] : [];
}

/** Parses the trace file's text. */
export function parseTrace(text: string): Trace {
  const program = new Map<number, string>();
  const calls: NetCall[] = [];
  const programs = new Set<string>();
  const sockets = new Map<string, number>();
  for (const { pid, call } of syscalls(text)) {
    const exec = /^execve\("([^"]+)"/.exec(call);
    if (exec && !/= -1/.test(call)) {
      program.set(pid, exec[1]!);
      programs.add(exec[1]!);
    }
    const clone = /^(?:clone3?|fork|vfork)\(.*\)\s+=\s+(\d+)/.exec(call);
    if (clone) program.set(Number(clone[1]), program.get(pid) ?? '?');
    const sock = /^socket\((AF_INET6?), (SOCK_[A-Z]+)/.exec(call);
    if (sock) sockets.set(`${sock[1]} ${sock[2]}`, (sockets.get(`${sock[1]} ${sock[2]}`) ?? 0) + 1);
    const name = /^(connect|sendto|sendmsg|sendmmsg|write|writev)\(/.exec(call)?.[1];
    if (!name) continue;
    for (const d of destinations(call)) {
      calls.push({ pid, program: program.get(pid) ?? '?', syscall: name, ...d, line: call.slice(0, 240) });
    }
  }
  const outward = calls.filter((c) => c.port === 53 || !isLoopback(c.address));
  const sentTo = new Set(outward.filter((c) => c.syscall !== 'connect').map((c) => `${c.address}:${c.port}`));
  const isProbe = (c: NetCall) =>
    c.syscall === 'connect' && c.proto === 'udp' && c.port !== 53 && !sentTo.has(`${c.address}:${c.port}`);
  return {
    calls,
    leaks: outward.filter((c) => !isProbe(c)),
    routeProbes: outward.filter(isProbe),
    programs,
    sockets,
  };
}

/** Runs a command under strace, following every child, and resolves when it ends. */
export function traced(
  command: string[],
  traceFile: string,
  env: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const trace = ['-f', '-qq', '-yy', '-s', '64', '-e', 'trace=network,process,write,writev', '-o', traceFile];
  return new Promise((resolve) => {
    const p = spawn('strace', [...trace, ...command], { env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** "program syscall proto address:port ×n" lines, for a readable failure message and the docs. */
export function summarise(list: NetCall[]): string[] {
  const n = new Map<string, number>();
  for (const c of list) {
    const k = `${c.program} ${c.syscall} ${c.proto} ${c.address}:${c.port}`;
    n.set(k, (n.get(k) ?? 0) + 1);
  }
  return [...n].map(([k, v]) => `${k} ×${v}`);
}
