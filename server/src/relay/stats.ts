/** Plain counters of the relay's hot path, read by the metrics extension when scraped. */
export interface RelayStats {
  messagesReceived: number;
  bytesReceived: number;
  messagesSent: number;
  bytesSent: number;
  /** Document updates sent by viewers, dropped unread. */
  viewerWritesDropped: number;
  /** Updates held because their dependencies were missing. */
  updatesHeld: number;
  /** Awareness entries refused: another connection's client id, or a state over the size limit. */
  awarenessRefused: number;
  /** Connections the server closed, by close code. */
  closes: Map<number, number>;
}

export function createStats(): RelayStats {
  return {
    messagesReceived: 0,
    bytesReceived: 0,
    messagesSent: 0,
    bytesSent: 0,
    viewerWritesDropped: 0,
    updatesHeld: 0,
    awarenessRefused: 0,
    closes: new Map(),
  };
}

export function countClose(stats: RelayStats, code: number): void {
  stats.closes.set(code, (stats.closes.get(code) ?? 0) + 1);
}
