/**
 * A real TLS endpoint in front of the Temporal dev server (which has no TLS flags of its own): certificates made
 * with the openssl CLI, stunnel terminating TLS, and optionally an HTTP/2 proxy behind stunnel that records the
 * request headers, to see what a client really sends (e.g. `authorization: Bearer <api key>`).
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';

export interface Certs {
  /** CA that signed the server certificate. */
  ca: string;
  /** A CA that did not: clients trusting only it must refuse the server. */
  wrongCa: string;
  serverCert: string;
  serverKey: string;
}

/** A CA, a server certificate for 127.0.0.1 / localhost signed by it, and an unrelated CA. */
export function makeCerts(dir: string): Certs {
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const newCa = (name: string) =>
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.pem`));
  newCa('test-ca');
  newCa('wrong-ca');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr'));
  fs.writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('test-ca.pem'), '-CAkey', f('test-ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('server.ext'), '-out', f('server.pem'));
  return { ca: f('test-ca.pem'), wrongCa: f('wrong-ca.pem'), serverCert: f('server.pem'), serverKey: f('server.key') };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`stunnel exited with ${child.exitCode}: ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`stunnel did not listen on ${port} within ${timeoutMs} ms: ${log()}`);
}

export interface Stunnel {
  port: number;
  stop(): Promise<void>;
}

/** stunnel accepting TLS on a free port and forwarding plain TCP to `targetPort`. */
export async function startStunnel(dir: string, certs: Certs, targetPort: number): Promise<Stunnel> {
  const port = await freePort();
  const conf = path.join(dir, `stunnel-${port}.conf`);
  fs.writeFileSync(
    conf,
    [`foreground = yes`, `pid =`, `debug = 4`, `[temporal]`, `accept = 127.0.0.1:${port}`, `connect = 127.0.0.1:${targetPort}`, `cert = ${certs.serverCert}`, `key = ${certs.serverKey}`].join('\n') + '\n',
  );
  const child = spawn(stunnelBinary(), [conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  await waitForPort(port, child, () => log);
  return {
    port,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function stunnelBinary(): string {
  for (const bin of ['/usr/bin/stunnel4', '/usr/bin/stunnel']) if (fs.existsSync(bin)) return bin;
  throw new Error('stunnel is not installed: apt-get install -y stunnel4 (scripts/setup.sh does it when run as root)');
}

export interface HeaderRecorder {
  port: number;
  /** Request headers of every stream, in arrival order. */
  requests: http2.IncomingHttpHeaders[];
  stop(): Promise<void>;
}

/** An h2c proxy to `targetPort` that records each request's headers and forwards requests, responses and trailers. */
export async function startHeaderRecorder(targetPort: number): Promise<HeaderRecorder> {
  const upstream = http2.connect(`http://127.0.0.1:${targetPort}`);
  upstream.on('error', () => undefined);
  const requests: http2.IncomingHttpHeaders[] = [];
  const server = http2.createServer();
  const sessions = new Set<http2.Http2Session>();
  server.on('session', (s) => (sessions.add(s), s.on('close', () => sessions.delete(s))));
  server.on('stream', (stream, headers) => {
    requests.push(headers);
    const forwarded = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== ':scheme' && k !== ':authority' && k !== 'connection'));
    const req = upstream.request(forwarded);
    let trailers: http2.OutgoingHttpHeaders | undefined;
    req.on('response', (h) => {
      const { [':status']: status, ...rest } = h;
      stream.respond({ ':status': status, ...rest }, { waitForTrailers: true });
    });
    req.on('trailers', (t) => (trailers = t));
    stream.on('wantTrailers', () => stream.sendTrailers(trailers ?? {}));
    stream.pipe(req);
    req.pipe(stream);
    req.on('error', () => stream.destroy());
    stream.on('error', () => req.destroy());
    stream.on('close', () => req.close());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    requests,
    async stop() {
      // Long polls keep sessions open; close() alone would wait for them.
      for (const s of sessions) s.destroy();
      upstream.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * A TLS terminator that offers ALPN `h2`. The worker's Rust core (tonic) refuses a TLS server that does not
 * negotiate h2, and stunnel 5.68 cannot offer ALPN, so the worker goes through this one (same certificates).
 */
export async function startAlpnTlsProxy(certs: Certs, targetPort: number): Promise<Stunnel> {
  const server = tls.createServer({ cert: fs.readFileSync(certs.serverCert), key: fs.readFileSync(certs.serverKey), ALPNProtocols: ['h2'] }, (socket) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
