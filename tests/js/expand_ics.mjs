// Expands every recurring calendar object the way two independent JavaScript readers do, and
// prints the meetings each one sees as JSON, so Python tests can compare them with the API.
//
//   node tests/js/expand_ics.mjs a.ics b.ics ...
//   -> [{"ical.js": [instance, ...], "node-ical": [instance, ...]}, ...]   (argument order)
//
// An instance is {uid, start, end, summary, status, sequence}, instants in UTC.
//  - ical.js (Mozilla's reader) converts with the file's own VTIMEZONEs; its RecurExpansion
//    applies EXDATE, and relateException() applies the RECURRENCE-ID overrides.
//  - node-ical resolves TZIDs with the Node runtime's zone data and expands with rrule.js
//    through its own expandRecurringEvent().
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import ICAL from "ical.js";

const require = createRequire(import.meta.url);
const nodeIcal = require("node-ical");

const iso = (date) => date.toISOString().replace(".000Z", "Z");
const FAR = 2000; // more than any series has meetings

function withIcalJs(text) {
  const vcalendar = new ICAL.Component(ICAL.parse(text));
  for (const vtz of vcalendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
  }
  const vevents = vcalendar.getAllSubcomponents("vevent");
  const masters = vevents.filter((v) => !v.hasProperty("recurrence-id"));
  const found = [];
  for (const master of masters) {
    const event = new ICAL.Event(master);
    for (const other of vevents) {
      if (other !== master && other.hasProperty("recurrence-id")
          && other.getFirstPropertyValue("uid") === event.uid) {
        event.relateException(other);
      }
    }
    const one = (item, start, end) => ({
      uid: event.uid,
      start: iso(start.toJSDate()),
      end: iso(end.toJSDate()),
      summary: item.summary,
      status: item.component.getFirstPropertyValue("status"),
      sequence: item.sequence,
    });
    if (!event.isRecurring()) {
      found.push(one(event, event.startDate, event.endDate));
      continue;
    }
    const it = event.iterator();
    for (let next = it.next(), n = 0; next && n < FAR; next = it.next(), n++) {
      const details = event.getOccurrenceDetails(next);
      found.push(one(details.item, details.startDate, details.endDate));
    }
  }
  // Instance messages (a CANCEL of one meeting) have no master: report them as they stand.
  for (const lone of vevents.filter((v) => v.hasProperty("recurrence-id"))) {
    const uid = lone.getFirstPropertyValue("uid");
    if (!masters.some((m) => m.getFirstPropertyValue("uid") === uid)) {
      const ev = new ICAL.Event(lone);
      found.push({ uid, start: iso(ev.startDate.toJSDate()), end: iso(ev.endDate.toJSDate()),
        summary: ev.summary, status: lone.getFirstPropertyValue("status"), sequence: ev.sequence,
        recurrence_id: iso(ev.recurrenceId.toJSDate()) });
    }
  }
  return found.sort((a, b) => a.start.localeCompare(b.start));
}

function withNodeIcal(text) {
  const parsed = nodeIcal.sync.parseICS(text);
  const found = [];
  for (const event of Object.values(parsed)) {
    if (event.type !== "VEVENT") continue;
    const instances = nodeIcal.expandRecurringEvent(event, {
      from: new Date("1970-01-01T00:00:00Z"),
      to: new Date("2100-01-01T00:00:00Z"),
    });
    for (const instance of instances) {
      const item = instance.event ?? event;
      found.push({
        uid: event.uid,
        start: iso(instance.start),
        end: iso(instance.end),
        summary: String(instance.summary ?? item.summary),
        status: item.status ?? null,
        sequence: Number(item.sequence ?? 0),
      });
    }
  }
  return found.sort((a, b) => a.start.localeCompare(b.start));
}

try {
  const out = process.argv.slice(2).map((path) => {
    const text = readFileSync(path, "utf8");
    return { "ical.js": withIcalJs(text), "node-ical": withNodeIcal(text) };
  });
  console.log(JSON.stringify(out));
} catch (err) {
  console.error(String(err?.stack ?? err));
  process.exit(1);
}
