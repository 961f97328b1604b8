import type { Extension } from '../../relay/hooks.js';
import type { Metrics } from './metrics.js';

/**
 * Prometheus metrics of the relay. Hot-path counts (messages, bytes, closes) are plain numbers
 * the relay keeps; they are read when `/metrics` is scraped, not counted per message.
 */
export function metricsExtension(metrics: Metrics): Extension {
  return {
    name: 'metrics',
    onConfigure(relay) {
      metrics.bindRelay(relay);
    },
  };
}
