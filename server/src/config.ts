import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** Server configuration, read once from the environment and validated at start. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  logLevel: LogLevel;
  tldrawLicenseKey: string | null;
  /** Largest websocket frame accepted; a larger one closes that connection with 1009. */
  maxMessageBytes: number;
  /** Unsent bytes a peer may hold before it is cut off as a slow consumer. */
  maxBufferedBytes: number;
  /** How often peers are pinged; a peer that has not answered the previous ping is dropped. */
  pingIntervalMs: number;
  /** How long a board stays in memory after its last client leaves. */
  boardIdleMs: number;
  /** Longest time an update waits in memory before it is written to disk. */
  flushIntervalMs: number;
  /** Update-log entries a board may collect before they are compacted into one snapshot. */
  compactAfterUpdates: number;
  /** The built web app (web/dist); null serves the API only. */
  webDir: string | null;
  /** Browser origins allowed to open websockets; null allows only the server's own origin. */
  allowedOrigins: string[] | null;
  /** CSP frame-ancestors: who may embed Planboard pages (e.g. view links) in a frame. */
  frameAncestors: string[];
  /** Failed token checks one address may make per minute. */
  authFailuresPerMinute: number;
  /** Largest a board's document may grow (bytes, encoded); an edit past it is refused. */
  maxBoardBytes: number;
  /**
   * Reverse proxies whose X-Forwarded-For is believed (addresses/CIDRs, or a hop count), for
   * the client address that rate limits count; null trusts none.
   */
  trustProxy: string | number | null;
  /** `postgres://…`: store boards in PostgreSQL (several instances may share it); null: the SQLite file in dataDir. */
  databaseUrl: string | null;
  /** `redis://…`: fan updates, presence and control messages out to the other instances; null: one instance. */
  redisUrl: string | null;
  /** Who may create boards: anyone (`open`) or whoever has `boardCreationToken` (`token`). */
  boardCreation: BoardCreationPolicy;
  /** The secret `Authorization: Bearer` value board creation needs when `boardCreation` is `token`. */
  boardCreationToken: string | null;
  /** Boards one address may create per minute (attempts count, refused ones too). */
  boardCreationsPerMinute: number;
  /** The secret `Authorization: Bearer` value `/metrics` needs; null leaves it open. */
  metricsToken: string | null;
  /** Days an automatic (unnamed) version of a board is kept; named versions are kept for good. */
  versionRetentionDays: number;
  /** While a board is being changed, an automatic version is taken at most this often (ms). */
  versionIntervalMs: number;
}

export const BOARD_CREATION_POLICIES = ['open', 'token'] as const;
export type BoardCreationPolicy = (typeof BOARD_CREATION_POLICIES)[number];

/** Shortest secret accepted for BOARD_CREATION_TOKEN and METRICS_TOKEN: guessing must be hopeless. */
export const MIN_SECRET_LENGTH = 16;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is invalid: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

function text(env: Env, name: string): string | null {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

/** A secret from the environment: absent, or at least MIN_SECRET_LENGTH visible characters. Never echoed in errors. */
function secret(env: Env, name: string): string | null {
  const value = text(env, name);
  if (value === null) return null;
  if (value.length < MIN_SECRET_LENGTH || /\s/.test(value)) {
    throw new ConfigError(`${name} is invalid: expected at least ${MIN_SECRET_LENGTH} characters without spaces (its value is not shown)`);
  }
  return value;
}

function list(env: Env, name: string): string[] | null {
  const raw = text(env, name);
  return raw === null ? null : raw.split(',').map((item) => item.trim()).filter(Boolean);
}

const PROXY_KEYWORDS = ['loopback', 'linklocal', 'uniquelocal'];

/** TRUST_PROXY: a hop count, or comma-separated addresses, CIDR ranges and proxy-addr's keywords. */
function trustProxy(env: Env): string | number | null {
  const raw = text(env, 'TRUST_PROXY');
  if (raw === null) return null;
  if (/^\d+$/.test(raw)) return integer(env, 'TRUST_PROXY', 0, 1, 100);
  const items = raw.split(',').map((item) => item.trim()).filter(Boolean);
  for (const item of items) {
    if (!PROXY_KEYWORDS.includes(item) && !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(item)) {
      throw new ConfigError(
        `TRUST_PROXY contains ${JSON.stringify(item)}: expected the proxies' addresses or CIDR ranges (e.g. 10.0.0.0/8, loopback), comma-separated, or a hop count`,
      );
    }
  }
  return items.join(',');
}

/** A service URL with one of the given schemes and a host; the message never repeats a password. */
function serviceUrl(env: Env, name: string, schemes: string[], example: string): string | null {
  const raw = text(env, name);
  if (raw === null) return null;
  let url: URL | null;
  try {
    url = new URL(raw);
  } catch {
    url = null;
  }
  if (!url || !schemes.includes(url.protocol.slice(0, -1)) || url.hostname === '') {
    const shown = url ? `${url.protocol}//${url.host}${url.pathname}` : 'the value given';
    throw new ConfigError(`${name} is invalid (${shown}): expected a URL like ${example}`);
  }
  return raw;
}

const defaultWebDir = fileURLToPath(new URL('../../web/dist', import.meta.url));

export function loadConfig(env: Env = process.env): Config {
  const logLevel = (text(env, 'LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL=${JSON.stringify(env.LOG_LEVEL)} is invalid: expected one of ${LOG_LEVELS.join(', ')}`);
  }
  const host = text(env, 'HOST') ?? 'localhost';
  if (/\s|\//.test(host)) {
    throw new ConfigError(`HOST=${JSON.stringify(env.HOST)} is invalid: expected a host name or IP address`);
  }
  const flushIntervalMs = integer(env, 'FLUSH_INTERVAL_MS', 50, 1, 100);
  const webDirSetting = text(env, 'WEB_DIR');
  const allowedOrigins = list(env, 'ALLOWED_ORIGINS');
  for (const origin of allowedOrigins ?? []) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(`ALLOWED_ORIGINS contains ${JSON.stringify(origin)}: expected origins like https://plan.example.com, comma-separated`);
    }
  }
  const boardCreation = (text(env, 'BOARD_CREATION') ?? 'open') as BoardCreationPolicy;
  if (!BOARD_CREATION_POLICIES.includes(boardCreation)) {
    throw new ConfigError(`BOARD_CREATION=${JSON.stringify(env.BOARD_CREATION)} is invalid: expected open (anyone may create boards) or token (only with BOARD_CREATION_TOKEN)`);
  }
  const boardCreationToken = secret(env, 'BOARD_CREATION_TOKEN');
  if (boardCreation === 'token' && boardCreationToken === null) {
    throw new ConfigError('BOARD_CREATION_TOKEN is missing: BOARD_CREATION=token needs a secret of at least 16 characters, e.g. from `openssl rand -hex 24`');
  }
  if (boardCreation === 'open' && boardCreationToken !== null) {
    throw new ConfigError('BOARD_CREATION_TOKEN is set but BOARD_CREATION is not token: set BOARD_CREATION=token to require it, or remove the token');
  }
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host,
    dataDir: resolve(text(env, 'DATA_DIR') ?? 'data'),
    logLevel,
    tldrawLicenseKey: text(env, 'TLDRAW_LICENSE_KEY'),
    maxMessageBytes: integer(env, 'MAX_MESSAGE_BYTES', 8 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    maxBufferedBytes: integer(env, 'MAX_BUFFERED_BYTES', 16 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
    pingIntervalMs: integer(env, 'PING_INTERVAL_MS', 30_000, 100, 600_000),
    boardIdleMs: integer(env, 'BOARD_IDLE_MS', 10_000, 0, 3_600_000),
    flushIntervalMs,
    compactAfterUpdates: integer(env, 'COMPACT_AFTER_UPDATES', 500, 1, 1_000_000),
    webDir: webDirSetting === 'none' ? null : resolve(webDirSetting ?? defaultWebDir),
    allowedOrigins,
    frameAncestors: list(env, 'FRAME_ANCESTORS') ?? ["'self'"],
    authFailuresPerMinute: integer(env, 'AUTH_FAILURES_PER_MINUTE', 30, 1, 100_000),
    maxBoardBytes: integer(env, 'MAX_BOARD_BYTES', 64 * 1024 * 1024, 64 * 1024, 4 * 1024 * 1024 * 1024),
    trustProxy: trustProxy(env),
    databaseUrl: serviceUrl(env, 'DATABASE_URL', ['postgres', 'postgresql'], 'postgres://planboard:secret@db.example.com:5432/planboard'),
    redisUrl: serviceUrl(env, 'REDIS_URL', ['redis', 'rediss'], 'redis://redis.example.com:6379'),
    boardCreation,
    boardCreationToken,
    boardCreationsPerMinute: integer(env, 'BOARD_CREATIONS_PER_MINUTE', 20, 1, 1_000_000),
    metricsToken: secret(env, 'METRICS_TOKEN'),
    versionRetentionDays: integer(env, 'VERSION_RETENTION_DAYS', 30, 1, 36_500),
    versionIntervalMs: integer(env, 'VERSION_INTERVAL_SECONDS', 600, 1, 86_400) * 1000,
  };
}
