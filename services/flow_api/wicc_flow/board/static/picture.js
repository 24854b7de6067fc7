// The board's picture in the browser: what the last snapshot said, plus every event since.
//
// Only primary figures are kept (one per unit, one per provider and service); every
// total shown is derived from them here, because event frames carry one unit's or one
// provider's new figure and the organisation totals must follow (docs/api.md).
//
// Time is the server's: the snapshot's `generated_at` gives the offset between the
// server's clock and this screen's, so ages and staleness agree with the server even
// when a wall screen's clock is wrong.

import { careService, PATHWAY_SERVICES, pathwayOf } from "./format.js";
import { SitrepReturns } from "./sitreps.js";

const FEED_LENGTH = 40;

export class Picture {
  constructor({ bedStaleAfterSeconds }) {
    this.bedStaleAfterMs = bedStaleAfterSeconds * 1000;
    this.clear();
  }

  clear() {
    this.units = new Map(); // unit_id -> the unit's figure
    this.care = new Map(); // "provider/service_type" -> the provider's figures
    this.discharges = new Map(); // trust -> its latest discharge sitrep counts
    this.opel = new Map(); // "orgs/RNZ" | "systems/wiltshire" -> {about, org, system, calculated, declared}
    this.actions = new Map(); // action_id -> an open action (issued or acknowledged)
    this.sitreps = new SitrepReturns(); // org -> its recent daily sitrep returns
    this.extra = {}; // snapshot keys this page does not model yet (kept for new sections)
    this.seq = null;
    this.clockOffsetMs = 0;
    this.feed = []; // newest first: {seq, at, text}
  }

  now() {
    return new Date(Date.now() + this.clockOffsetMs);
  }

  applySnapshot(frame) {
    const {
      kind, seq, generated_at: generatedAt, units = [], orgs, care, patients, opel, sitreps,
      ...extra
    } = frame;
    this.seq = seq;
    this.clockOffsetMs = Date.parse(generatedAt) - Date.now();
    this.units = new Map(units.map((u) => [u.unit_id, u]));
    this.care = new Map((care?.providers ?? []).map((c) => [careKey(c), c]));
    this.discharges = new Map((patients?.trusts ?? []).map((t) => [t.org, t]));
    this.opel = new Map((opel?.subjects ?? []).map((s) => [opelKey(s), { ...s }]));
    this.actions = new Map((opel?.actions ?? []).map((a) => [a.action_id, a]));
    this.sitreps.applySnapshot(sitreps);
    this.extra = extra;
  }

  // Apply one event frame; returns what it changed ({before, after, type}) or null.
  applyEvent(frame) {
    this.seq = frame.seq;
    const { type, data } = frame.event;
    if (type === "beds.updated") {
      const before = this.units.get(data.unit_id) ?? null;
      this.units.set(data.unit_id, data);
      return { type, before, after: data, seq: frame.seq };
    }
    if (type === "care_capacity.updated") {
      const key = careKey(data);
      const before = this.care.get(key) ?? null;
      if (before && data.version < before.version) return null; // a replay of an older one
      this.care.set(key, data);
      return { type, before, after: data, seq: frame.seq };
    }
    if (type === "discharge_sitrep.updated") {
      const before = this.discharges.get(data.org) ?? null;
      if (before && newerCount(before, data)) return null; // a replay of an older count
      this.discharges.set(data.org, data);
      return { type, before, after: data, seq: frame.seq };
    }
    if (type.startsWith("opel.") || type.startsWith("action.")) return this.applyOpel(frame);
    if (this.sitreps.handles(type)) {
      const change = this.sitreps.apply(type, data);
      return change && { ...change, seq: frame.seq };
    }
    return null; // a type this page does not know: ignored, as the protocol asks
  }

  // OPEL events: a subject's calculated or declared level, an action opened or closed.
  applyOpel(frame) {
    const { type, data } = frame.event;
    const subject = this.opelSubject(data);
    const change = { type, before: null, after: data, seq: frame.seq, at: new Date(opelTime(data)) };
    if (type === "opel.calculated") {
      if (subject.calculated && data.computed_at < subject.calculated.computed_at) return null;
      change.before = subject.calculated;
      subject.calculated = data;
    } else if (type === "opel.declared") {
      change.before = subject.declared;
      subject.declared = data;
    } else if (type.startsWith("action.")) {
      change.before = this.actions.get(data.action_id) ?? null;
      if (OPEN_ACTION.has(data.status)) this.actions.set(data.action_id, data);
      else this.actions.delete(data.action_id);
    }
    return change;
  }

  opelSubject(data) {
    const key = opelKey(data);
    if (!this.opel.has(key)) {
      this.opel.set(key, {
        about: data.about, org: data.org, system: data.system, calculated: null, declared: null,
      });
    }
    return this.opel.get(key);
  }

  remember(change, text) {
    if (!text) return; // a change the feed does not tell (a recalculation, say)
    const at = change.at ?? new Date(change.after.as_of);
    this.feed.unshift({ seq: change.seq, at, text });
    this.feed.length = Math.min(this.feed.length, FEED_LENGTH);
  }

  ageSeconds(asOf) {
    return (this.now() - Date.parse(asOf)) / 1000;
  }

  // The server's flag (from a snapshot) or the age: a figure only gets older until replaced.
  unitIsStale(unit) {
    return unit.stale === true || this.now() - Date.parse(unit.as_of) > this.bedStaleAfterMs;
  }

  careIsStale(entry) {
    return this.now() > Date.parse(entry.fresh_until);
  }

  // Per organisation, from its units: G&A occupancy (all beds when it has no G&A),
  // escalation beds, beds closed for infection, the oldest figure and stale units.
  orgs() {
    const byOrg = new Map();
    for (const unit of this.units.values()) {
      if (!byOrg.has(unit.org)) byOrg.set(unit.org, []);
      byOrg.get(unit.org).push(unit);
    }
    return [...byOrg].map(([org, units]) => this.orgSummary(org, units));
  }

  orgSummary(org, units) {
    const ga = units.filter((u) => u.bed_area === "adult_ga");
    const headline = ga.length ? ga : units;
    const open = sum(headline, (u) => u.open);
    const occupied = sum(headline, (u) => u.occupied);
    return {
      org,
      units: [...units].sort((a, b) => a.unit_id.localeCompare(b.unit_id)),
      isGa: ga.length > 0,
      open,
      occupied,
      occupancyPct: open ? (100 * occupied) / open : null,
      escalationOpen: sum(units, (u) => u.escalation_open),
      closedInfection: sum(units, (u) => closedFor(u, "infection_control")),
      oldestAsOf: units.map((u) => u.as_of).reduce(older, null),
      staleUnits: units.filter((u) => this.unitIsStale(u)).length,
      headlineStale: headline.some((u) => this.unitIsStale(u)),
    };
  }

  system() {
    const units = [...this.units.values()];
    if (!units.length) return null;
    const ga = units.filter((u) => u.bed_area === "adult_ga");
    const gaOpen = sum(ga, (u) => u.open);
    const oldest = (list) => list.map((u) => u.as_of).reduce(older, null);
    return {
      escalationOpen: sum(units, (u) => u.escalation_open),
      escalationStale: units.some((u) => u.escalation_open && this.unitIsStale(u)),
      oldestAsOf: oldest(units),
      gaOccupancyPct: gaOpen ? (100 * sum(ga, (u) => u.occupied)) / gaOpen : null,
      gaStale: ga.some((u) => this.unitIsStale(u)),
      gaOldestAsOf: ga.length ? oldest(ga) : null,
    };
  }

  // OPEL for one organisation (or, with `org` null, the system): the calculated and
  // declared levels and the open and overdue actions; null when there is none.
  opelOf(org, system = null) {
    const key = org ? `orgs/${org}` : `systems/${system ?? this.opelSystemCode()}`;
    const subject = this.opel.get(key);
    const actions = [...this.actions.values()].filter((a) => opelKey(a) === key);
    if (!subject && !actions.length) return null;
    return {
      calculated: subject?.calculated ?? null,
      declared: subject?.declared ?? null,
      openActions: actions.length,
      overdueActions: actions.filter((a) => this.actionIsOverdue(a)).length,
    };
  }

  opelSystemCode() {
    return [...this.opel.values()].find((s) => s.about === "system")?.system ?? null;
  }

  // Not acknowledged at its due time: from that moment, even before the worker's
  // `action.escalated` arrives.
  actionIsOverdue(action) {
    return action.status === "issued" && (action.overdue || this.now() >= Date.parse(action.due_at));
  }

  // Care capacity per service and locality (and the system, locality null). A provider
  // serving several localities counts in full in each, once in the system column, as the
  // capacity service totals it. Stale figures are never added to the current ones.
  careCells() {
    const cells = new Map();
    const localities = new Set();
    for (const entry of this.care.values()) {
      const service = careService(entry.service_type);
      const stale = this.careIsStale(entry);
      const value = sum(entry.figures, (f) => f[service.figure] ?? 0);
      const extra = service.extra ? sum(entry.figures, (f) => f[service.extra.figure] ?? 0) : null;
      entry.localities.forEach((l) => localities.add(l));
      for (const locality of [null, ...entry.localities]) {
        const key = `${entry.service_type}|${locality ?? "system"}`;
        if (!cells.has(key)) cells.set(key, emptyCell(entry.service_type, locality));
        addToCell(cells.get(key), { value, extra, stale, asOf: entry.as_of });
      }
    }
    return { cells, localities: [...localities].sort() };
  }

  // A trust's counts describe one day; after it they are stale until recounted.
  dischargesAreStale(trust) {
    return this.now() >= Date.parse(trust.valid_until);
  }

  dischargesOf(org) {
    return this.discharges.get(org) ?? null;
  }

  // The system's discharge-ready patients: every trust added up (stale ones counted and
  // flagged, as stale bed figures are); null before any trust has a list.
  dischargeTotals() {
    const trusts = [...this.discharges.values()];
    if (!trusts.length) return null;
    return {
      remaining: sum(trusts, (t) => t.remaining),
      discharged: sum(trusts, (t) => t.discharged),
      lostBedDays: sum(trusts, (t) => t.lost_bed_days),
      oldestAsOf: trusts.map((t) => t.as_of).reduce(older, null),
      stale: trusts.some((t) => this.dischargesAreStale(t)),
    };
  }

  // Patients waiting per locality and pathway (1-3) against the care free there in fresh
  // figures, by the same mapping as the server (wicc_shared/rules/care_pathways.py).
  demandCells() {
    const cells = new Map();
    const cell = (locality, pathway) => {
      const key = `${locality}|${pathway}`;
      if (!cells.has(key)) {
        cells.set(key, { locality, pathway, waiting: 0, fresh: 0, stale: 0, oldestFreshAsOf: null,
          staleCounts: false });
      }
      return cells.get(key);
    };
    for (const trust of this.discharges.values()) {
      const stale = this.dischargesAreStale(trust);
      for (const w of trust.waiting) {
        if (!PATHWAY_SERVICES[w.pathway] || w.locality === null) continue;
        const c = cell(w.locality, w.pathway);
        c.waiting += w.patients;
        c.staleCounts ||= stale;
      }
    }
    if (!cells.size) return [];
    for (const entry of this.care.values()) {
      const pathway = pathwayOf(entry.service_type);
      if (pathway === null) continue;
      const free = sum(entry.figures, (f) => f[careService(entry.service_type).figure] ?? 0);
      const stale = this.careIsStale(entry);
      for (const locality of entry.localities) {
        const c = cell(locality, pathway);
        if (stale) c.stale += free;
        else {
          c.fresh += free;
          c.oldestFreshAsOf = older(c.oldestFreshAsOf, entry.as_of);
        }
      }
    }
    return [...cells.values()]
      .map((c) => ({ ...c, gap: c.waiting - c.fresh }))
      .sort((a, b) => a.locality.localeCompare(b.locality) || a.pathway - b.pathway);
  }
}

function newerCount(held, incoming) {
  return held.date > incoming.date
    || (held.date === incoming.date && Date.parse(held.as_of) > Date.parse(incoming.as_of));
}

const OPEN_ACTION = new Set(["issued", "acknowledged"]);

function opelKey(entry) {
  return entry.org ? `orgs/${entry.org}` : `systems/${entry.system}`;
}

// The moment an OPEL event describes, for the feed.
function opelTime(data) {
  return data.computed_at ?? data.changed_at ?? data.declared_at ?? data.raised_at;
}

function careKey(entry) {
  return `${entry.provider}/${entry.service_type}`;
}

function sum(items, figure) {
  return items.reduce((total, item) => total + figure(item), 0);
}

function closedFor(unit, reason) {
  return sum((unit.closed ?? []).filter((c) => c.reason === reason), (c) => c.count);
}

function emptyCell(serviceType, locality) {
  return {
    serviceType, locality, fresh: 0, freshExtra: 0, freshProviders: 0,
    stale: 0, staleProviders: 0, oldestFreshAsOf: null, oldestStaleAsOf: null,
  };
}

function addToCell(cell, { value, extra, stale, asOf }) {
  if (stale) {
    cell.stale += value;
    cell.staleProviders += 1;
    cell.oldestStaleAsOf = older(cell.oldestStaleAsOf, asOf);
  } else {
    cell.fresh += value;
    cell.freshExtra += extra ?? 0;
    cell.freshProviders += 1;
    cell.oldestFreshAsOf = older(cell.oldestFreshAsOf, asOf);
  }
}

function older(a, b) {
  return a === null || Date.parse(b) < Date.parse(a) ? b : a;
}
