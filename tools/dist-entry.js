// dist/cli.js, the entry DESIGN.md names: the compiled CLI lives at dist/src/cli.js.
import './src/cli.js';
