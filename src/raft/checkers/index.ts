export * from './view';
export * from './violation';
export * from './safety-checker';
export { sameEntry, sameData } from './entry-equality';
