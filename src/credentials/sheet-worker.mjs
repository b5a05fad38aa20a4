// The entry of a print-sheet worker thread: TypeScript runs through tsx here as in the main
// thread (bin/tessera.mjs registers it there; a worker has its own module loader).
import { register } from 'tsx/esm/api';

register();
await import('./sheet-worker-main.ts');
