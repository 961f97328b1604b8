// First: V8's heap settings apply to what the other modules allocate.
import './heap.js';
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig, type Config } from './config.js';
import { buildApp } from './app.js';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`planboard: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

const app = await buildApp({ config });

closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
  if (err) app.log.error({ err }, 'fatal error, shutting down');
  else app.log.info({ signal }, 'shutting down: flushing every board');
  await app.close();
});

try {
  await app.listen({ port: config.port, host: config.host });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') console.error(`planboard: port ${config.port} is already in use; set PORT to another port`);
  else if (code === 'EACCES') console.error(`planboard: not allowed to listen on port ${config.port}; set PORT above 1024`);
  else console.error(`planboard: could not start: ${(error as Error).message}`);
  await app.close().catch(() => undefined);
  process.exit(1);
}
