import type { VariantFactory } from './variant.js';

/** The unprotected route: the baseline every ratio divides by. */
export const none: VariantFactory = () => ({});
