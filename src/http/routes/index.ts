import type { RouteDefinition } from '../route';
import { authRoutes } from './auth';
import { cardRoutes } from './cards';
import { dedupRoutes } from './dedup';
import { privacyRoutes } from './privacy';
import { registryRoutes } from './registry';
import { systemRoutes } from './system';
import { webRoutes } from './web';

/** Every route of the API. */
export function allRoutes(): RouteDefinition[] {
  return [
    ...systemRoutes,
    ...authRoutes,
    ...registryRoutes,
    ...privacyRoutes,
    ...cardRoutes,
    ...dedupRoutes,
    ...webRoutes,
  ];
}
