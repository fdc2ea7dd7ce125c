/** Injects the publisher the materializer sends dead letters with (built in materializer.module.ts). */
export const DEAD_LETTER_PUBLISHER = Symbol('DEAD_LETTER_PUBLISHER');
