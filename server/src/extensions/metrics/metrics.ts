import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server instance (its own registry, so tests can run several). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'planboard_' });
  const registers = [registry];
  return {
    registry,
    boardsLoaded: new Gauge({ name: 'planboard_boards_loaded', help: 'Boards held in memory', registers }),
    connections: new Gauge({ name: 'planboard_connections', help: 'Open websocket connections', registers }),
    messagesReceived: new Counter({ name: 'planboard_messages_received_total', help: 'Websocket messages received', registers }),
    messagesSent: new Counter({ name: 'planboard_messages_sent_total', help: 'Websocket messages sent (one per peer)', registers }),
    bytesReceived: new Counter({ name: 'planboard_bytes_received_total', help: 'Websocket bytes received', registers }),
    bytesSent: new Counter({ name: 'planboard_bytes_sent_total', help: 'Websocket bytes sent', registers }),
    connectionsRejected: new Counter({
      name: 'planboard_connections_closed_total',
      help: 'Connections the server closed, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    storeFlushSeconds: new Histogram({
      name: 'planboard_store_flush_seconds',
      help: 'Time to write one batch of updates durably',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    viewerWritesDropped: new Counter({
      name: 'planboard_viewer_writes_dropped_total',
      help: 'Document updates sent by viewers, dropped unapplied',
      registers,
    }),
    storeErrors: new Counter({ name: 'planboard_store_errors_total', help: 'Failed storage writes', registers }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
