/**
 * @file Starts the real `logml serve` (node bin/logml.js serve --port 0 ...) for end-to-end tests,
 * reads the bound address from its one "listening on" line on stderr, and stops it with a signal,
 * resolving with the exit code. Waits are on events, with generous deadlines only as hang guards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { BIN, ROOT } from './run-cli.js';

export interface Served {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  /** Resolves once stderr contains `text` (hang guard: 60 s). */
  waitForStderr: (text: string | RegExp) => Promise<void>;
  /** Send `signal` and resolve with the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  exited: Promise<number | null>;
}

export function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0', LOGML_TOKEN: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const watchers: Array<() => void> = [];
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    for (const w of [...watchers]) w();
  });
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const waitForStderr = (text: string | RegExp) =>
    new Promise<void>((resolve, reject) => {
      const hit = () => (typeof text === 'string' ? stderr.includes(text) : text.test(stderr));
      if (hit()) return resolve();
      const timer = setTimeout(() => reject(new Error(`no "${text}" on stderr in 60 s: ${stderr}`)), 60_000);
      const w = () => {
        if (!hit()) return;
        clearTimeout(timer);
        watchers.splice(watchers.indexOf(w), 1);
        resolve();
      };
      watchers.push(w);
      void exited.then(() => {
        if (!hit()) {
          clearTimeout(timer);
          reject(new Error(`logml serve exited before "${text}": ${stderr}`));
        }
      });
    });
  return waitForStderr(/listening on http:\/\/\S+/).then(() => ({
    url: /listening on (http:\/\/\S+)/.exec(stderr)![1]!,
    child,
    stderr: () => stderr,
    waitForStderr,
    exited,
    stop: (signal: NodeJS.Signals = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
  }));
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request (a fresh connection each, so tests do not share keep-alive state). */
export function http(url: string, opts: { method?: string; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? (opts.body !== undefined ? 'POST' : 'GET'), headers: opts.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/**
 * A request whose body is held open: headers and `first` are sent now, `finish(rest)` sends the
 * rest and resolves with the response. While held, the request is in flight on the server.
 */
export function heldRequest(url: string, first: string, headers: Record<string, string> = {}): { finish: (rest: string) => Promise<HttpResult> } {
  let result!: Promise<HttpResult>;
  const req = request(url, { method: 'POST', headers: { 'Transfer-Encoding': 'chunked', ...headers }, agent: false });
  result = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
  req.write(first);
  req.flushHeaders();
  return {
    finish: (rest: string) => {
      req.end(rest);
      return result;
    },
  };
}
