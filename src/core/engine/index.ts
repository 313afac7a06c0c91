export * from './types';
export { EngineClient } from './client';
