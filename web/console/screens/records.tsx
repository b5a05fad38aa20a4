// The registration office's records screens: finding a person, and their record with cards.
// (See web/console/screens.ts for how an area lists its screens.)
//
// Stable ids and names for end-to-end tests:
//   #/search            form#search-form: input[name=q], input[name=birthDate], select[name=purpose]
//                       ol#results > li[data-person] > a (the person's record); .partial-match
//                       marks a birth-date match on the year (or year-month) only; #results-empty
//   #/persons/<id>?purpose=…  (without purpose: form#purpose-form, select[name=purpose])
//                       #duplicate-flag (record awaits duplicate review), dl#person-facts with
//                       dd[data-fact=registryNumber|birthDate|sex|region|status|…], ol#history
//                       > li[data-version]
//   correction          form#edit-form: givenNames, surname1, surname2, birthDate, sex,
//                       birthPlace, phone, reason (PATCH with expectedVersion)
//   life event          form#event-form: select[name=kind] (address_change|name_change|death),
//                       occurredOn, address.regionCode, address.locality, address.line,
//                       givenNames, surname1, surname2, reason
//   cards               section#cards: table#cards-table tr[data-serial][data-status] td.card-status,
//                       button.records-view[data-serial] (see the face), form#issue-card-form,
//                       #confirm-duplicate-issue with #confirm-issue / #cancel-issue,
//                       img#card-png, img#card-png-back, #print-card, #download-pdf,
//                       form#replace-form (select[name=reason], input[name=note]),
//                       form#revoke-form (input[name=reason])
import type { Screen } from '../screens';
import { PersonScreen } from './records/person';
import { SearchScreen } from './records/search';
import '../records.css';

export const recordsScreens: readonly Screen[] = [
  {
    path: 'search',
    title: 'records.search.menu',
    permissions: ['person:search'],
    component: SearchScreen,
  },
  {
    path: 'persons',
    title: 'records.person.title',
    permissions: ['person:read'],
    component: PersonScreen,
    inMenu: false,
  },
];
