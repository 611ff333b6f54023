/**
 * The entry point of the build: `npm run build` compiles this file to `dist/main.js`, and
 * `node dist/main.js` (`npm run start:prod`) starts depgate without ts-node. It runs the same
 * start-up as `npm start` (src/main.ts). It sits at the repository root because the build's root
 * is the repository (migrations/ lives beside src/), so src/main.ts compiles to dist/src/main.js.
 */
import './src/main';
