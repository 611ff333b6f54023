// Runs GraphQL Code Generator programmatically (its `generate` API) with the JSON config in argv[2],
// in a plain Node process: @graphql-codegen/cli loads ESM-only dependencies (yargs) that Node 20.19
// requires natively but jest's module loader cannot. Exits 1 with the error on failure.
const { generate } = require('@graphql-codegen/cli');

generate(JSON.parse(process.argv[2]), true).then(
  (files) => process.stdout.write(JSON.stringify(files.map((f) => f.filename))),
  (error) => {
    process.stderr.write(String(error && (error.details || error.message || error)));
    process.exit(1);
  },
);
