/**
 * No container engine runs here, so the deployment files are checked by reading them: the
 * compose file, the nginx config and the Dockerfile must agree with each other and with the
 * server (its variables, its port, its build output), and the README must name every variable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(`${root}${path}`, 'utf8');

interface ComposeService {
  build?: string | { context: string };
  image?: string;
  environment?: Record<string, string>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  command?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const instances = Object.entries(services).filter(([, service]) => service.build !== undefined);
const nginx = read('deploy/nginx.conf');
const dockerfile = read('Dockerfile');

type LoadConfig = (env: Record<string, string | undefined>) => {
  port: number;
  host: string;
  databaseUrl: string | null;
  redisUrl: string | null;
  trustProxy: string | number | null;
};
const { loadConfig } = (await import(pathToFileURL(`${root}server/dist/config.js`).href)) as { loadConfig: LoadConfig };

test('compose: two Planboard instances from this Dockerfile, each on PostgreSQL and Redis with a valid configuration', () => {
  assert.equal(instances.length, 2, `instances built from the Dockerfile: ${instances.map(([name]) => name)}`);
  for (const [name, service] of instances) {
    const env = service.environment ?? {};
    // The server's own parser accepts the values (a typo here would stop the container at start).
    const config = loadConfig(env);
    assert.equal(config.host, '0.0.0.0', `${name} listens beyond its container`);
    // Behind nginx every client would otherwise share nginx's address (and its failed-token count).
    assert.ok(config.trustProxy !== null, `${name} trusts the proxy's X-Forwarded-For`);
    const database = new URL(config.databaseUrl ?? assert.fail(`${name} has no DATABASE_URL`));
    const redis = new URL(config.redisUrl ?? assert.fail(`${name} has no REDIS_URL`));
    const postgres = services[database.hostname] ?? assert.fail(`${name}: DATABASE_URL names ${database.hostname}, which is not a service`);
    assert.match(postgres.image ?? '', /^postgres:/);
    assert.equal(database.username, postgres.environment?.POSTGRES_USER, `${name}: the database user exists`);
    assert.equal(database.password, postgres.environment?.POSTGRES_PASSWORD, `${name}: the database password matches`);
    assert.equal(database.pathname, `/${postgres.environment?.POSTGRES_DB}`, `${name}: the database exists`);
    assert.equal(Number(database.port || 5432), 5432);
    const redisService = services[redis.hostname] ?? assert.fail(`${name}: REDIS_URL names ${redis.hostname}, which is not a service`);
    assert.match(redisService.image ?? '', /^redis:/);
    assert.equal(Number(redis.port || 6379), 6379);
    // Instances wait for healthy services instead of crash-looping at start.
    const dependsOn = service.depends_on as Record<string, { condition: string }>;
    assert.equal(dependsOn[database.hostname]?.condition, 'service_healthy');
    assert.equal(dependsOn[redis.hostname]?.condition, 'service_healthy');
    assert.ok(postgres.healthcheck && redisService.healthcheck, 'both services have health checks');
    assert.ok(service.expose?.includes(String(config.port)), `${name} exposes its PORT ${config.port}`);
  }
});

test('nginx: round-robin over every instance at its port, websocket upgrades passed, Host kept', () => {
  const proxy = Object.values(services).find((service) => service.image?.startsWith('nginx'));
  assert.ok(proxy, 'a reverse proxy service');
  assert.ok(proxy.ports?.some((port) => /^\d+:80$/.test(port)), `the proxy publishes port 80: ${proxy.ports}`);
  const mounted = proxy.volumes?.find((volume) => volume.includes('nginx.conf'));
  assert.ok(mounted?.startsWith('./deploy/nginx.conf:'), 'the config in deploy/ is mounted');
  const upstream = /upstream\s+(\w+)\s*\{([^}]*)\}/.exec(nginx);
  assert.ok(upstream, 'an upstream block');
  const servers = [...upstream[2]!.matchAll(/server\s+([\w.-]+):(\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
  assert.deepEqual(
    servers.sort(),
    instances.map(([name, service]) => `${name}:${loadConfig(service.environment ?? {}).port}`).sort(),
    'every instance, at the port it listens on',
  );
  assert.doesNotMatch(upstream[2]!, /ip_hash|hash\s|sticky/, 'no sticky sessions');
  assert.match(nginx, new RegExp(`proxy_pass\\s+http://${upstream[1]};`));
  assert.match(nginx, /proxy_http_version\s+1\.1;/);
  assert.match(nginx, /proxy_set_header\s+Upgrade\s+\$http_upgrade;/);
  assert.match(nginx, /proxy_set_header\s+Connection\s+\$connection_upgrade;/);
  assert.match(nginx, /map\s+\$http_upgrade\s+\$connection_upgrade\s*\{[^}]*default\s+upgrade;/);
  // The server checks a browser's Origin against Host: $host would drop the port.
  assert.match(nginx, /proxy_set_header\s+Host\s+\$http_host;/);
  const readTimeout = /proxy_read_timeout\s+(\d+)(h|m|s)?;/.exec(nginx);
  assert.ok(readTimeout, 'a read timeout longer than the default 60 s');
  const seconds = Number(readTimeout[1]) * ({ h: 3600, m: 60, s: 1 } as Record<string, number>)[readTimeout[2] ?? 's']!;
  assert.ok(seconds > 60, 'board connections outlive the 60 s default');
});

test('Dockerfile: builds the workspace and runs the built server on the port compose expects', () => {
  assert.match(dockerfile, /^FROM node:\$\{NODE_VERSION\}-bookworm-slim AS build$/m);
  const nodeVersion = Number(/^ARG NODE_VERSION=(\d+)$/m.exec(dockerfile)?.[1]);
  assert.ok(nodeVersion >= 22, 'a Node.js that is not past its end of life');
  const packageManager = (JSON.parse(read('package.json')) as { packageManager: string }).packageManager;
  assert.ok(dockerfile.includes(`npm install -g ${packageManager}`), `the same pnpm as package.json (${packageManager})`);
  const serverMain = (JSON.parse(read('server/package.json')) as { main: string }).main;
  assert.match(dockerfile, new RegExp(`CMD \\["node", "server/${serverMain.replace('.', '\\.')}"\\]`));
  const env = Object.fromEntries([...dockerfile.matchAll(/^\s*(?:ENV\s+)?([A-Z_]+)=(\S+?)(?:\s*\\)?$/gm)].map((m) => [m[1]!, m[2]!]));
  const config = loadConfig({ HOST: env.HOST, PORT: env.PORT, DATA_DIR: env.DATA_DIR });
  assert.equal(config.host, '0.0.0.0');
  assert.match(dockerfile, new RegExp(`^EXPOSE ${config.port}$`, 'm'));
  for (const [name, service] of instances) assert.equal(loadConfig(service.environment ?? {}).port, config.port, `${name} uses the image's port`);
  // The runtime stage carries what the server serves and loads.
  for (const built of ['server/dist', 'shared/dist', 'web/dist']) assert.ok(dockerfile.includes(`COPY --from=build /app/${built} `), built);
  // Every source the build copies exists.
  for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)) assert.ok(existsSync(`${root}${source}`), `COPY ${source}`);
  assert.match(dockerfile, /HEALTHCHECK[\s\S]*\/healthz/);
  assert.match(read('.dockerignore'), /^\*\*\/node_modules$/m);
});

test('README: "Running more than one instance" names every variable the server reads', () => {
  const readme = read('README.md');
  const section = /## Running more than one instance\n([\s\S]*?)\n## /.exec(readme)?.[1];
  assert.ok(section, 'the section exists');
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'HOST', 'PORT', 'TRUST_PROXY', 'ALLOWED_ORIGINS']) assert.ok(section.includes(`\`${name}\``), name);
  const configSource = read('server/src/config.ts');
  const variables = [...configSource.matchAll(/\(env, '([A-Z_]+)'/g)].map((m) => m[1]!);
  assert.ok(variables.length > 10, 'variables found in config.ts');
  for (const name of variables) assert.ok(readme.includes(`\`${name}\``), `README documents ${name}`);
  assert.match(section, /docker compose up/);
});
