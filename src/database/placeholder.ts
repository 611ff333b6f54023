/**
 * A positional parameter of a statement (`$7`), never a value: SQL fragments that other modules
 * splice into their statements take their inputs as these, so no caller can splice a value in.
 */
export type Placeholder = `$${number}`;

/** The placeholder of the parameter at `index` (0-based) of a parameter list. */
export const placeholder = (index: number): Placeholder => `$${index + 1}`;
