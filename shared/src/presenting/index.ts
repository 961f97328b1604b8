export * from './slides.js';
export * from './state.js';
