import type { RouteDefinition } from '../route';
import { systemRoutes } from './system';
import { webRoutes } from './web';

/** The server's own routes (health, web pages); each domain brings its own. */
export const infrastructureRoutes: readonly RouteDefinition[] = [...systemRoutes, ...webRoutes];
