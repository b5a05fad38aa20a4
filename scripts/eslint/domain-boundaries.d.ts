import type { ESLint } from 'eslint';

/** The `tessera` ESLint plugin: the domain-boundaries rule. */
declare const plugin: ESLint.Plugin;
export default plugin;
