export { memoryBackend, MemoryDriver } from './driver.js';
