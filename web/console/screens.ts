// Every screen of the console, by area. An area lists its screens with the permission that
// opens each; the shell shows a screen in the menu only to a session holding that permission
// (the server checks again on every call). Later issues add their areas here.
import type { ComponentType } from 'preact';
import type { MessageKey } from './i18n';
import type { Location } from './router';
import type { Session } from './ui';
import { adminScreens } from './screens/admin';
import { recordsScreens } from './screens/records';
import { enrolmentScreens } from './screens/enrolment';
import { auditorScreens } from './screens/auditor';
import { analystScreens } from './screens/analyst';
import { programmesScreens } from './screens/programmes';
import { pointsScreens } from './screens/points';
import { noticesScreens } from './screens/notices';
import { grievancesScreens } from './screens/grievances';
import { moneyScreens } from './screens/money';

export interface ScreenProps {
  session: Session;
  where: Location;
}

export interface Screen {
  /** First path segment: `#/staff`, `#/staff/…`. */
  path: string;
  title: MessageKey;
  /** Shown to sessions holding any of these permissions. */
  permissions: readonly string[];
  component: ComponentType<ScreenProps>;
  /** False for screens reached from another (a person's record), not from the menu. */
  inMenu?: boolean;
}

export const screens: readonly Screen[] = [
  ...recordsScreens,
  ...enrolmentScreens,
  ...adminScreens,
  ...auditorScreens,
  ...analystScreens,
  ...programmesScreens,
  ...pointsScreens,
  ...noticesScreens,
  ...grievancesScreens,
  ...moneyScreens,
];
