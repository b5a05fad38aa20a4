// The registration office's screens: enrolment with live duplicate screening, households,
// and the duplicate review queue (see web/console/screens.ts for how an area lists them).
//
// Stable selectors for end-to-end tests:
//   #/enrol             form#enrol-form (inputs: givenNames, surname1, surname2, birthDate
//                       [YYYY, YYYY-MM or YYYY-MM-DD], sex, address.regionCode, address.locality,
//                       address.line, phone); button#check-duplicates; section#candidates with
//                       ol#candidate-list > li > article.candidate (.candidate-reason,
//                       a.open-existing); input#save-anyway (the explicit "different person"
//                       choice); after saving section#enrolled, #enrolled-number,
//                       a#enrolled-record, #enrolled-flagged, a#enrolled-to-household,
//                       a#enrolled-new-household. `?household=<id>` returns to that household.
//   #/households        form#household-form (address.regionCode, address.locality,
//                       address.line, headNumber), form#open-household-form (householdId).
//   #/households/<id>   #household-address; ul#members > li.member[data-number] (
//                       .member-relationship, button.make-head, button.end-membership,
//                       form.head-form [formerHeadRelationship, reason], form.leave-form
//                       [reason]); form#member-form (registryNumber, relationship, reason,
//                       move); a#enrol-for-household; form#birth-form (child.givenNames …
//                       child.birthDate …, relationship). `?add=<registry number>` fills it.
//   #/duplicates        form#pair-filter (status); ul#pairs > li[data-pair]; #pairs-empty.
//   #/duplicates/<id>   table#pair-compare, #pair-reasons, #pair-status; form#decision-form
//                       (decision radio different_people|same_person, survivorId, reason);
//                       form#unmerge-form (reason); #pair-waiting.
import type { Screen } from '../screens';
import { EnrolScreen } from './enrolment/enrol';
import { HouseholdsScreen } from './enrolment/households';
import { DuplicatesScreen } from './enrolment/duplicates';

export const enrolmentScreens: readonly Screen[] = [
  {
    path: 'enrol',
    title: 'enrolment.enrol.menu',
    permissions: ['person:write'],
    component: EnrolScreen,
  },
  {
    path: 'households',
    title: 'enrolment.households.menu',
    permissions: ['household:write'],
    component: HouseholdsScreen,
  },
  {
    path: 'duplicates',
    title: 'enrolment.duplicates.menu',
    permissions: ['dedup:review'],
    component: DuplicatesScreen,
  },
];
