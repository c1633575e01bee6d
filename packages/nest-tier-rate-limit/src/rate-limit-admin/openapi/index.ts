export * from './document-rate-limit-admin.js';
export type * from './rate-limit-admin-open-api.js';
