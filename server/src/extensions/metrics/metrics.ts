import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Relay } from '../../relay/relay.js';
import type { RelayStats } from '../../relay/stats.js';

/** Prometheus metrics of one server instance (its own registry, so tests can run several). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'planboard_' });
  const registers = [registry];
  let relay: Relay | null = null;

  /** A counter that reads one of the relay's plain counts when scraped. */
  const relayCounter = (name: string, help: string, key: keyof Omit<RelayStats, 'closes'>) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        if (!relay) return;
        this.reset();
        this.inc(relay.stats[key]);
      },
    });

  return {
    registry,
    bindRelay(bound: Relay) {
      relay = bound;
    },
    boardsLoaded: new Gauge({
      name: 'planboard_boards_loaded',
      help: 'Boards held in memory',
      registers,
      collect() {
        this.set(relay?.size ?? 0);
      },
    }),
    connections: new Gauge({
      name: 'planboard_connections',
      help: 'Open websocket connections',
      registers,
      collect() {
        this.set(relay?.connectionCount ?? 0);
      },
    }),
    messagesReceived: relayCounter('planboard_messages_received_total', 'Websocket messages received', 'messagesReceived'),
    messagesSent: relayCounter('planboard_messages_sent_total', 'Websocket messages sent (one per peer)', 'messagesSent'),
    bytesReceived: relayCounter('planboard_bytes_received_total', 'Websocket bytes received', 'bytesReceived'),
    bytesSent: relayCounter('planboard_bytes_sent_total', 'Websocket bytes sent', 'bytesSent'),
    viewerWritesDropped: relayCounter(
      'planboard_viewer_writes_dropped_total',
      'Document updates sent by viewers, dropped unread',
      'viewerWritesDropped',
    ),
    updatesHeld: relayCounter('planboard_updates_held_total', 'Updates held until the changes they depend on arrived', 'updatesHeld'),
    awarenessRefused: relayCounter(
      'planboard_awareness_refused_total',
      "Presence states refused: another participant's client id, or over the size limit",
      'awarenessRefused',
    ),
    connectionsRejected: new Counter({
      name: 'planboard_connections_closed_total',
      help: 'Connections the server closed, by reason',
      labelNames: ['reason'] as const,
      registers,
      collect() {
        if (!relay) return;
        this.reset();
        for (const [code, count] of relay.stats.closes) this.inc({ reason: String(code) }, count);
      },
    }),
    storeFlushSeconds: new Histogram({
      name: 'planboard_store_flush_seconds',
      help: 'Time to write one batch of updates durably',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    storeErrors: new Counter({ name: 'planboard_store_errors_total', help: 'Failed storage writes', registers }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
