// Reads iCalendar data with ical.js, as Mozilla-based clients do, and prints
// what a client would see as JSON, so Python tests can check our output.
//
//   node tests/js/parse_ics.mjs < feed.ics        -> one calendar object
//   node tests/js/parse_ics.mjs feed.ics           -> one calendar object
//   node tests/js/parse_ics.mjs a.ics b.ics ...    -> array, in argument order
//
// Start/end instants are converted to UTC by ical.js using the VTIMEZONE in
// the file itself (ical.js ships no zone database). A TZID the file does not
// define is an error (exit 1), never a silent floating time.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function utcIso(time, what) {
  if (time.zone !== ICAL.Timezone.utcTimezone && !time.zone?.component) {
    throw new Error(`${what}: TZID ${time.timezone ?? "(none)"} has no VTIMEZONE in the file`);
  }
  return time.toJSDate().toISOString().replace(".000Z", "Z");
}

function address(prop) {
  const value = prop.getFirstValue();
  return {
    email: value.replace(/^mailto:/i, ""),
    cn: prop.getParameter("cn") ?? null,
    role: prop.getParameter("role") ?? null,
    partstat: prop.getParameter("partstat") ?? null,
    rsvp: prop.getParameter("rsvp") ?? null,
  };
}

function text(component, name) {
  return component.getFirstPropertyValue(name) ?? null;
}

function event(vevent) {
  const ev = new ICAL.Event(vevent);
  const uid = ev.uid;
  const dtstart = vevent.getFirstProperty("dtstart");
  const organizer = vevent.getFirstProperty("organizer");
  return {
    uid,
    sequence: ev.sequence,
    status: text(vevent, "status"),
    summary: ev.summary,
    start: utcIso(ev.startDate, `${uid} DTSTART`),
    end: utcIso(ev.endDate, `${uid} DTEND`),
    tzid: dtstart.getParameter("tzid") ?? null,
    end_tzid: vevent.getFirstProperty("dtend")?.getParameter("tzid") ?? null,
    location: ev.location,
    url: text(vevent, "url"),
    description: ev.description,
    conference: vevent.getAllProperties("conference").map((prop) => ({
      value: prop.getFirstValue(),
      feature: prop.getParameter("feature") ?? null,
      label: prop.getParameter("label") ?? null,
    })),
    dtstamp: utcIso(vevent.getFirstPropertyValue("dtstamp"), `${uid} DTSTAMP`),
    last_modified: vevent.hasProperty("last-modified")
      ? utcIso(vevent.getFirstPropertyValue("last-modified"), `${uid} LAST-MODIFIED`)
      : null,
    organizer: organizer ? address(organizer) : null,
    attendees: ev.attendees.map(address),
    categories: vevent.getAllProperties("categories").flatMap((p) => p.getValues()),
    alarms: vevent.getAllSubcomponents("valarm").map((alarm) => ({
      action: text(alarm, "action"),
      trigger: String(alarm.getFirstPropertyValue("trigger")),
    })),
  };
}

function parse(data) {
  const vcalendar = new ICAL.Component(ICAL.parse(data));
  const refresh = vcalendar.getFirstPropertyValue("refresh-interval");
  return {
    method: text(vcalendar, "method"),
    name: text(vcalendar, "name"),
    x_wr_calname: text(vcalendar, "x-wr-calname"),
    x_wr_timezone: text(vcalendar, "x-wr-timezone"),
    refresh_interval: refresh === null ? null : String(refresh),
    timezones: vcalendar
      .getAllSubcomponents("vtimezone")
      .map((vtz) => vtz.getFirstPropertyValue("tzid")),
    events: vcalendar.getAllSubcomponents("vevent").map(event),
  };
}

const paths = process.argv.slice(2);
try {
  if (paths.length <= 1) {
    const source = paths.length === 0 || paths[0] === "-" ? 0 : paths[0];
    console.log(JSON.stringify(parse(readFileSync(source, "utf8"))));
  } else {
    console.log(JSON.stringify(paths.map((p) => parse(readFileSync(p, "utf8")))));
  }
} catch (err) {
  console.error(String(err?.stack ?? err));
  process.exit(1);
}
