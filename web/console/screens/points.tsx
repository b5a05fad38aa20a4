// The points-of-service area: the points (#/points, filtered by region), one point with its
// operators, devices and stock (#/points/<id>), its redemption log for a day
// (#/points/<id>/log), and the review queue of conflicting offline records (#/conflicts).
// One file per screen under points/; the server checks every permission and region again.
import type { Screen, ScreenProps } from '../screens';
import { ConflictQueue } from './points/conflicts';
import { PointList } from './points/list';
import { LogScreen } from './points/log';
import { PointScreen } from './points/point';
import './points/points.css';

function Points(props: ScreenProps) {
  const [, id, sub] = props.where.segments;
  if (id && sub === 'log')
    return <LogScreen key={id} session={props.session} id={id} query={props.where.query} />;
  if (id) return <PointScreen key={id} session={props.session} id={id} />;
  return <PointList {...props} />;
}

export const pointsScreens: readonly Screen[] = [
  {
    path: 'points',
    title: 'points.title',
    permissions: ['point:read'],
    component: Points,
  },
  {
    path: 'conflicts',
    title: 'points.conflicts.title',
    permissions: ['conflict:read'],
    component: ConflictQueue,
  },
];
