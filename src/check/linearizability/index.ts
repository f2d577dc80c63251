// Linearizability checking: histories, models, the search.
export * from './history';
export * from './model';
export * from './checker';
export * from './register-model';
export * from './kv-model';
