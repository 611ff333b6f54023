/**
 * Imported first by bench/run.ts: every server the bench runs sees NODE_ENV=production, as the image
 * runs (Dockerfile), depgate and the baselines alike: the instances in the bench process (fan-out,
 * large tables, many tokens) and, through the environment they inherit, the forked ones
 * (support/target-process.ts). graphql-js, express and Apollo then take their production paths
 * (graphql-js's instanceOf otherwise checks every miss for a second copy of itself). They read it
 * once, when first loaded, so it is set before anything imports them. An explicit NODE_ENV is kept.
 */
process.env.NODE_ENV ??= 'production';
