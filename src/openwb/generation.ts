/** The openWB software generations the gateway understands. */
export type Generation = '2' | '1.9';

export const GENERATIONS: readonly Generation[] = ['2', '1.9'];
