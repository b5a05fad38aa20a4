// The registration office's records screens (see web/console/screens.ts for how an area lists its screens).
import type { Screen } from '../screens';

export const recordsScreens: readonly Screen[] = [];
