export * from './state.js';
export * from './decks.js';
export * from './poker.js';
export * from './timer.js';
export * from './dots.js';
export * from './card-changes.js';
export * from './server-map-guard.js';
