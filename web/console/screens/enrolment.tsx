// The registration office's enrolment screens (see web/console/screens.ts for how an area lists its screens).
import type { Screen } from '../screens';

export const enrolmentScreens: readonly Screen[] = [];
