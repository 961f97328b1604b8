export * from './api.js';
export * from './board-id.js';
export * from './document.js';
export * from './protocol.js';
export * from './roles.js';
