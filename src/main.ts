// The entry point of the `tessera` command (bin/tessera.mjs, npm start): the CLI program
// built from the module list.
import {
  authenticator,
  checkKeyFiles,
  cliContext,
  createApp,
  errorTranslators,
  jobs,
  loadDemo,
} from './app';
import { buildProgram, runProgram } from './cli/main';
import { allRoutes, migrations, modules } from './modules';

const program = buildProgram({
  cli: cliContext,
  commands: modules.flatMap((m) => ('commands' in m ? [m.commands] : [])),
  serve: {
    createApp,
    routes: allRoutes,
    authenticator,
    errorTranslators,
    checkKeyFiles,
    startJobs: (app, onError) => jobs().map((start) => start(app, onError)),
    loadDemo,
  },
  backup: { migrationNames: () => Object.keys(migrations) },
});
await runProgram(program, process.argv);
