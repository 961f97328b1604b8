/**
 * A small round-robin load balancer for the scale-out tests, doing what an ordinary reverse
 * proxy (nginx, HAProxy) does in front of several Planboard instances: each HTTP request and each
 * websocket upgrade goes to the next instance in turn (no sticky sessions), the upgrade is passed
 * through as raw bytes, and an instance that refuses connections (it died) is skipped.
 */
import http from 'node:http';
import net from 'node:net';

export interface Balancer {
  url: string;
  wsUrl: string;
  port: number;
  /** How many websocket upgrades went to each backend port. */
  upgrades: Map<number, number>;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

export async function startBalancer(backendPorts: number[]): Promise<Balancer> {
  let next = 0;
  const upgrades = new Map<number, number>(backendPorts.map((port) => [port, 0]));
  const sockets = new Set<net.Socket>();
  /** The backends in round-robin order starting at the next one. */
  const rotation = (): number[] => {
    const start = next++ % backendPorts.length;
    return [...backendPorts.slice(start), ...backendPorts.slice(0, start)];
  };

  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
    for (const port of rotation()) {
      const answered = await new Promise<boolean>((resolve) => {
        const upstream = http.request({ host: '127.0.0.1', port, method: request.method, path: request.url, headers }, (reply) => {
          response.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(response);
          resolve(true);
        });
        upstream.once('error', (error: NodeJS.ErrnoException) => {
          // A dead instance refuses the connection: try the next one, as a balancer's health check would.
          if (error.code === 'ECONNREFUSED' && !response.headersSent) return resolve(false);
          if (response.headersSent) response.destroy();
          else response.writeHead(502, { 'content-type': 'text/plain' }).end(error.message);
          resolve(true);
        });
        upstream.end(body);
      });
      if (answered) return;
    }
    response.writeHead(502, { 'content-type': 'text/plain' }).end('no instance is up');
  });

  server.on('upgrade', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const raw = [`${request.method} ${request.url} HTTP/1.1`];
    for (let i = 0; i < request.rawHeaders.length; i += 2) raw.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
    const preamble = Buffer.from(`${raw.join('\r\n')}\r\n\r\n`);
    const candidates = rotation();
    const attempt = (index: number) => {
      const port = candidates[index];
      if (port === undefined) {
        client.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\n\r\n');
        return;
      }
      const upstream = net.connect(port, '127.0.0.1');
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        sockets.add(upstream);
        upgrades.set(port, (upgrades.get(port) ?? 0) + 1);
        upstream.write(preamble);
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => {
        if (!connected) return attempt(index + 1);
        client.destroy();
      });
      upstream.on('close', () => {
        sockets.delete(upstream);
        if (connected) client.destroy();
      });
      client.on('close', () => upstream.destroy());
    };
    attempt(0);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    port,
    upgrades,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
