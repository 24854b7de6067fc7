// Daily sitrep returns: per organisation, whether its sitrep came back (on time or late)
// or is missing, and how long ago. The snapshot's `sitreps` gives each organisation's
// recent dates; `sitrep.submitted`, `sitrep.amended` and `sitrep.missed` event frames
// move them by the server's own rules (board/sections/sitreps.py), so a tile shows what
// the next snapshot would.
//
// A return is always said in words ("returned", "returned late", "missing"), never by
// colour alone, with its age: since it was returned, or since the deadline it missed.

import { el, setData, setText, show } from "./dom.js";
import { age, dayMonth, hhmm, londonDate } from "./format.js";

const SHOWN_DAYS = 7; // as the snapshot's `recent`
const RECORDED = new Set(["sitrep.submitted", "sitrep.amended"]);
const MISSED = new Set(["sitrep.missed", "sitrep.missing"]); // the older name is still on the log

export class SitrepReturns {
  constructor() {
    this.orgs = new Map(); // org -> Map(ISO date -> day), newest date first
  }

  applySnapshot(entries) {
    this.orgs = new Map((entries ?? []).map((entry) => [entry.org,
      new Map(entry.recent.map((day) => [day.date, day]))]));
  }

  handles(type) {
    return RECORDED.has(type) || MISSED.has(type);
  }

  // One sitrep event; returns what it changed ({type, before, after, at}) or null.
  apply(type, data) {
    const days = this.orgs.get(data.org) ?? new Map();
    const before = days.get(data.date) ?? null;
    let day;
    if (MISSED.has(type)) {
      if (before) return null; // a return arrived first: it stands
      day = { date: data.date, status: "missed", version: null, submitted_at: null,
        amended_at: null, deadline: data.deadline };
    } else {
      // A missed date has no version: any return replaces it. An older version replayed
      // from the log does not undo an amendment.
      if ((before?.version ?? 0) > data.version) return null;
      day = { date: data.date, status: data.late ? "late" : "on_time", version: data.version,
        submitted_at: data.submitted_at, amended_at: data.amended_at, deadline: data.deadline };
    }
    days.set(day.date, day);
    const newest = [...days.keys()].sort().reverse().slice(0, SHOWN_DAYS);
    this.orgs.set(data.org, new Map(newest.map((date) => [date, days.get(date)])));
    return { type, before, after: { ...day, org: data.org }, at: new Date(changedAt(day)) };
  }

  // Newest first; [] for an organisation without any.
  recent(org) {
    const days = this.orgs.get(org);
    return days ? [...days.keys()].sort().reverse().map((date) => days.get(date)) : [];
  }
}

// When a return last changed: its amendment, its submission, or the deadline it missed.
function changedAt(day) {
  return day.amended_at ?? day.submitted_at ?? day.deadline;
}

// "returned", "returned late", "missing".
function statusWords(day) {
  return { on_time: "returned", late: "returned late", missed: "missing" }[day.status];
}

// A tile's line for the latest date known, short enough for a laptop's tile: "Sitrep
// returned, 2 h 05 min ago" (since it was first returned: an amendment is in the
// title), "Sitrep returned late, 5 min ago", "Sitrep missing for 35 min" (since the
// deadline); dated only when it is not today's ("Sitrep 22 Nov returned, 1 d 2 h ago").
// `today` and the ages are on the server's clock.
export function sitrepLine(day, { today, ageSeconds }) {
  const which = day.date === today ? "Sitrep" : `Sitrep ${dayMonth(day.date)}`;
  if (day.status === "missed") return `${which} missing for ${age(ageSeconds(day.deadline))}`;
  return `${which} ${statusWords(day)}, ${age(ageSeconds(day.submitted_at))} ago`;
}

// The whole story of an organisation's recent returns, for the tile's title and the
// drill-down: "Sitrep for 23 Nov returned late at 11:42 (deadline 11:00), amended at
// 12:05. Before: 22 Nov returned, 21 Nov missing."
export function sitrepSentence(days) {
  if (!days.length) return "";
  const [latest, ...earlier] = days;
  const deadline = hhmm(new Date(latest.deadline));
  let sentence = `Sitrep for ${dayMonth(latest.date)} ${statusWords(latest)}`;
  if (latest.status === "missed") sentence += ` at the ${deadline} deadline`;
  else sentence += ` at ${hhmm(new Date(latest.submitted_at))} (deadline ${deadline})`;
  if (latest.amended_at) sentence += `, amended at ${hhmm(new Date(latest.amended_at))}`;
  if (earlier.length) {
    const before = earlier.map((d) => `${dayMonth(d.date)} ${statusWords(d)}`);
    sentence += `. Before: ${before.join(", ")}`;
  }
  return `${sentence}.`;
}

// For the "what changed" feed: "sitrep for 23 Nov returned late".
export function sitrepNews(change) {
  const { type, after } = change;
  const what = type === "sitrep.amended" ? "amended" : statusWords(after);
  return `sitrep for ${dayMonth(after.date)} ${what}`;
}

// The tile's sitrep line, made the first time the organisation has a return (or a
// missed one) and hidden while it has none. A missing sitrep is marked for attention in
// words first; the mark only repeats them.
export function tileSitrep(tile, s, ctx) {
  const days = ctx.picture.sitreps.recent(s.org);
  let line = tile.querySelector(".tile-sitrep");
  if (!days.length) {
    if (line) show(line, false);
    return;
  }
  if (!line) {
    line = el("p", { class: "tile-sitrep" });
    tile.querySelector(".age").before(line);
  }
  show(line, true);
  const today = londonDate(ctx.picture.now());
  setText(line, sitrepLine(days[0], { today, ageSeconds: (at) => ctx.picture.ageSeconds(at) }));
  setData(line, "status", days[0].status);
  const whole = sitrepSentence(days);
  if (line.title !== whole) line.title = whole;
}
