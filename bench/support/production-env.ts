/**
 * Imported first by bench/run.ts: the depgate instances the bench runs in its own process (fan-out,
 * large tables, many tokens) see NODE_ENV=production, as the image runs (Dockerfile), like the
 * servers it forks (support/target-process.ts). graphql-js and express read it once, when they are
 * first loaded, so it has to be set before anything imports them. An explicit NODE_ENV is kept.
 */
process.env.NODE_ENV ??= 'production';
