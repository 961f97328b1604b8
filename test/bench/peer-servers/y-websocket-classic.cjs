// The classic y-websocket reference server (y-websocket 1.5.x's bin/utils setupWSConnection),
// in-memory as it runs by default. Yjs resolves to the same 13.x as the clients.
const http = require('node:http');
const { WebSocketServer } = require('ws');
const { setupWSConnection } = require('y-websocket-v1/bin/utils');

const server = http.createServer((_req, res) => res.end('ok'));
const wss = new WebSocketServer({ server });
wss.on('connection', (conn, req) => setupWSConnection(conn, req, { gc: true }));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
