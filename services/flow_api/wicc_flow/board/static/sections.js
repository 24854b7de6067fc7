// One render function per section of the board. Each reads the picture (picture.js),
// updates its own part of the page in place, and hides its part when the picture has no
// data for it: a capability not built yet shows nothing, never a placeholder.
//
// To add a section when a capability lands (as OPEL did, from the snapshot key `opel`):
//   1. picture.js keeps the key (unknown snapshot keys are already kept in `extra`) and
//      applies its event type in `applyEvent`;
//   2. write `renderOpel(ctx)` below: find its container, `show(container, false)` when
//      the data is absent, else update nodes with `keyed`/`setText` (never innerHTML);
//   3. add it to SECTIONS, and its container to index.html (with `hidden`);
//   4. list its snapshot keys in the comment block at the top of board.js.
// A part of a trust tile is the same, in TILE_PARTS. OPEL is always shown with
// `format.opel(level)`: a number and a word, never a colour alone.

import { el, keyed, setData, setText, show } from "./dom.js";
import {
  age, CARE_SERVICES, careService, hhmm, number, occupancyBand, opel, PATHWAYS, pct,
  shortOrgName,
  shortUnitId,
} from "./format.js";
import { sitrepNews, tileSitrep } from "./sitreps.js";

// ctx: {picture, names, live, now} (see board.js `render`).

export function renderSystem(ctx) {
  const section = document.getElementById("system");
  const system = ctx.picture.system();
  const stats = [
    ...(system ? bedStats(system) : []),
    ...dischargeStats(ctx.picture.dischargeTotals()),
    ...systemOpelStats(ctx.picture.opelOf(null)),
  ];
  show(section, stats.length > 0);
  if (!stats.length) return;
  keyed(section.querySelector(".strip"), stats.map((s) => s.key), () => el("div", { class: "stat" }, [
    el("dt"), el("dd", { class: "figure" }), el("dd", { class: "age" }),
  ]), (node, key) => {
    const stat = stats.find((s) => s.key === key);
    setText(node.querySelector("dt"), stat.label);
    figure(node.querySelector(".figure"), stat.value, stat.stale, ctx);
    const words = stat.words ?? ageWords(stat.asOf, stat.stale, ctx);
    ageText(node.querySelector(".age"), words, stat.stale);
    if (stat.level !== undefined) setData(node, "level", stat.level ?? "none");
  });
}

function bedStats(system) {
  return [
    system.gaOccupancyPct !== null && {
      key: "ga", label: "G&A occupancy", value: pct(system.gaOccupancyPct),
      asOf: system.gaOldestAsOf, stale: system.gaStale,
    },
    {
      key: "escalation", label: "Escalation beds open", value: String(system.escalationOpen),
      asOf: system.oldestAsOf, stale: system.escalationStale,
    },
  ].filter(Boolean);
}

// The system's discharge-ready patients (every trust's list added up); none without a list.
function dischargeStats(totals) {
  if (!totals) return [];
  return [
    { key: "ready", label: "Ready to leave", value: String(totals.remaining),
      asOf: totals.oldestAsOf, stale: totals.stale },
    { key: "lost", label: "Bed days lost so far", value: String(totals.lostBedDays),
      asOf: totals.oldestAsOf, stale: totals.stale },
  ];
}

// The system's OPEL in the strip, one stat: the calculated level as a number and a word,
// then the score, the declared level and the actions in words.
function systemOpelStats(system) {
  if (!system) return [];
  const { calculated, declared } = system;
  const words = [
    calculated ? `calculated \u00b7 ${calculatedDetail(calculated)}` : "not calculated",
    declared && `declared ${opel(declared.level)}${differs(calculated, declared) ? ", differs" : ""}`,
    system.openActions > 0 && `${actionsText(system)} actions`,
  ].filter(Boolean);
  return [{
    key: "opel", label: "System OPEL", value: calculated ? opelText(calculated.level) : "–",
    level: calculated?.level ?? null, asOf: null, stale: false, // inputs' age is in the words
    words: words.join(" \u00b7 "),
  }];
}

// One tile per organisation with bed figures, acute trusts first.
export function renderTiles(ctx) {
  const summaries = ctx.picture.orgs().sort((a, b) => tileOrder(a, ctx) - tileOrder(b, ctx)
    || orgName(a.org, ctx).localeCompare(orgName(b.org, ctx)));
  const byOrg = new Map(summaries.map((s) => [s.org, s]));
  keyed(document.querySelector("#trusts .tiles"), summaries.map((s) => s.org), createTile,
    (tile, org) => {
      const summary = byOrg.get(org);
      setText(tile.querySelector(".tile-open"), orgName(org, ctx));
      for (const part of TILE_PARTS) part(tile, summary, ctx);
    });
}

function createTile(org) {
  return el("article", { class: "tile", "data-org": org }, [
    el("h3", {}, [el("button", { type: "button", class: "tile-open", "aria-haspopup": "dialog" })]),
    el("div", { class: "headline" }, [
      el("p", { class: "headline-label" }),
      el("p", { class: "figure ga-pct" }),
      el("div", { class: "bar", "aria-hidden": "true" }, [el("span")]),
      el("p", { class: "beds" }),
    ]),
    el("dl", { class: "tile-stats" }, [
      el("div", { class: "escalation" }, [
        el("dt", { text: "Escalation beds open" }), el("dd", { class: "figure" }),
      ]),
      el("div", { class: "closed-infection" }, [
        el("dt", { text: "Closed for infection" }), el("dd", { class: "figure" }),
      ]),
    ]),
    el("div", { class: "tile-opel", hidden: "" }, [
      el("p", {}, [
        el("span", { class: "visually-hidden", text: "Calculated " }),
        el("span", { class: "figure level" }),
      ]),
      el("p", { class: "flags" }),
    ]),
    el("p", { class: "age" }),
  ]);
}

// The parts of a trust tile, each updating its own nodes from the org's summary.
const TILE_PARTS = [tileHeadline, tileStats, tilePatients, tileOpel, tileSitrep, tileAge];

function tileHeadline(tile, s, ctx) {
  const label = s.isGa ? "G&A occupancy" : "Occupancy, all beds";
  setText(tile.querySelector(".headline-label"), label);
  figure(tile.querySelector(".ga-pct"), pct(s.occupancyPct), s.headlineStale, ctx);
  setData(tile, "band", occupancyBand(s.occupancyPct));
  const bar = tile.querySelector(".bar span");
  const width = `${Math.min(100, s.occupancyPct ?? 0).toFixed(1)}%`;
  if (bar.style.width !== width) bar.style.width = width;
  setText(tile.querySelector(".beds"), `${s.occupied} of ${s.open} beds occupied`);
}

function tileStats(tile, s, ctx) {
  figure(tile.querySelector(".escalation .figure"), String(s.escalationOpen), s.staleUnits > 0, ctx);
  figure(tile.querySelector(".closed-infection .figure"), String(s.closedInfection),
    s.staleUnits > 0, ctx);
}

// Discharge-ready patients (a third stat beside escalation and closed beds) and their
// pathways, from the trust's latest discharge sitrep; made the first time the trust has
// a list, hidden whenever it has none.
function tilePatients(tile, s, ctx) {
  const trust = ctx.picture.dischargesOf(s.org);
  let stat = tile.querySelector(".ready-to-leave");
  let line = tile.querySelector(".pathways");
  if (!trust) {
    if (stat) show(stat, false);
    if (line) show(line, false);
    return;
  }
  if (!stat) {
    stat = el("div", { class: "ready-to-leave" }, [
      el("dt", { text: "Ready to leave" }), el("dd", { class: "figure" }),
    ]);
    tile.querySelector(".tile-stats").append(stat);
    line = el("p", { class: "pathways" });
    tile.querySelector(".tile-opel").before(line);
  }
  show(stat, true);
  show(line, true);
  const stale = ctx.picture.dischargesAreStale(trust);
  figure(stat.querySelector(".figure"), String(trust.remaining), stale, ctx);
  const pathways = trust.by_pathway.map((p) => `P${p.pathway} ${p.remaining}`).join(" \u00b7 ");
  setText(line, `${pathways} \u00b7 ${trust.lost_bed_days} days lost${stale ? " (yesterday)" : ""}`);
  setData(line, "stale", stale);
}

// OPEL on the tile, in two short lines (a busy wall's tiles have room for no more): the
// calculated level as a number and a word (never a colour alone), then what needs
// looking at, most urgent first. The whole of it is in the line's title and in the
// drill-down, and the system strip shows the system's.
function tileOpel(tile, s, ctx) {
  const line = tile.querySelector(".tile-opel");
  const found = ctx.picture.opelOf(s.org);
  show(line, found !== null);
  if (!found) return;
  const { calculated } = found;
  const level = calculated ? opelText(calculated.level) : "OPEL not calculated";
  figure(line.querySelector(".level"), level, false, ctx);
  setText(line.querySelector(".flags"), opelFlags(found).join(" \u00b7 "));
  setData(line, "level", calculated?.level ?? "none");
  setData(line, "attention", found.overdueActions > 0 || differs(calculated, found.declared));
  const whole = opelSentence(found);
  if (line.title !== whole) line.title = whole;
}

// What needs looking at, most urgent first: overdue actions, a declared level that
// differs, stale inputs, a partial score, a level pending; then the score, the declared
// level, the open actions.
function opelFlags({ calculated, declared, openActions, overdueActions }) {
  const flags = ["calculated"];
  if (overdueActions) flags.push(count(overdueActions, "overdue action"));
  if (differs(calculated, declared)) flags.push(`declared OPEL ${declared.level}, differs`);
  if (calculated?.stale.length) flags.push(count(calculated.stale.length, "stale input"));
  if (calculated?.partial) flags.push(partialWords(calculated));
  if (calculated?.pending_level) {
    flags.push(`OPEL ${calculated.pending_level} pending since ${hhmm(new Date(calculated.pending_since))}`);
  }
  if (calculated) flags.push(`score ${number(calculated.score)} of ${number(calculated.max_score)}`);
  if (declared && !differs(calculated, declared)) flags.push(`declared OPEL ${declared.level}`);
  if (openActions) flags.push(count(openActions, "open action"));
  return flags;
}

// A partial level is a floor: say so, and how high it could be.
function partialWords(c) {
  const higher = c.level_range && c.level_range[1] !== c.level_range[0];
  return higher ? `partial, could be OPEL ${c.level_range[1]}` : "partial";
}

function count(n, what) {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

// The whole OPEL picture of a trust or the system, in words (tile title, drill-down).
export function opelSentence(found) {
  const { calculated, declared } = found;
  return [
    calculated ? `${opelText(calculated.level)}, calculated: ${calculatedDetail(calculated)}`
      : "OPEL not calculated",
    declared
      ? `declared ${opel(declared.level)}${differs(calculated, declared) ? " (differs)" : ""}`
      : "not declared",
    `actions: ${actionsText(found)}`,
  ].join(". ");
}

function differs(calculated, declared) {
  return Boolean(calculated && declared && calculated.level !== declared.level);
}

// "OPEL 3 · Major pressure", or why there is no level.
function opelText(level) {
  return level === null || level === undefined ? "No level: no current inputs" : opel(level);
}

// "score 11 of 27 · partial: 2 left out (2 stale) · could be OPEL 3".
function calculatedDetail(c) {
  const parts = [`score ${number(c.score)} of ${number(c.max_score)}`];
  if (c.partial) {
    // An organisation leaves inputs out; a system leaves out members without data.
    const left = c.stale.length + c.missing.length + c.invalid.length;
    const what = c.excluded?.length ? `${c.excluded.length} without data`
      : `${left} left out`;
    const stale = c.stale.length ? ` (${c.stale.length} stale)` : "";
    parts.push(`partial: ${what}${stale}`);
    if (c.level_range && c.level_range[1] !== c.level_range[0]) {
      parts.push(`could be OPEL ${c.level_range[1]}`);
    }
  }
  if (c.pending_level) {
    parts.push(`OPEL ${c.pending_level} pending since ${hhmm(new Date(c.pending_since))}`);
  }
  return parts.join(" \u00b7 ");
}

// "3 open · 1 overdue" (overdue said in words, not only by colour).
function actionsText({ openActions, overdueActions }) {
  if (!openActions) return "None open";
  return `${openActions} open \u00b7 ${overdueActions} overdue`;
}

function tileAge(tile, s, ctx) {
  const stale = s.staleUnits > 0;
  const units = s.staleUnits === 1 ? "1 unit" : `${s.staleUnits} units`;
  const old = age(ctx.picture.ageSeconds(s.oldestAsOf));
  ageText(tile.querySelector(".age"), stale ? `Stale: ${units}, oldest ${old} old` : `${old} ago`,
    stale);
  setData(tile, "stale", stale);
}

export function renderCare(ctx) {
  const section = document.getElementById("care");
  const { cells, localities } = ctx.picture.careCells();
  show(section, cells.size > 0);
  if (!cells.size) return;
  const columns = [...localities, "system"];
  const head = section.querySelector("thead");
  keyed(head, ["head"], () => el("tr"), (row) => {
    keyed(row, ["service", ...columns], (key) => el("th", { scope: "col" }), (th, key) => {
      setText(th, key === "service" ? "Service" : key === "system" ? "System" : title(key));
    });
  });
  const services = [...new Set([...cells.values()].map((c) => c.serviceType))]
    .sort((a, b) => careOrder(a) - careOrder(b));
  keyed(section.querySelector("tbody"), services, () => el("tr"), (row, type) => {
    keyed(row, ["service", ...columns], (key) => (key === "service"
      ? el("th", { scope: "row" })
      : el("td", {}, [el("span", { class: "figure" }), el("span", { class: "unit" }),
        el("span", { class: "age" })])),
    (cell, key) => {
      if (key === "service") setText(cell, careService(type).label);
      else careCell(cell, cells.get(`${type}|${key}`), careService(type), ctx);
    });
  });
}

function careCell(node, cell, service, ctx) {
  const [value, unit, when] = node.children;
  if (!cell) {
    [value, unit, when].forEach((part) => setText(part, ""));
    return;
  }
  const onlyStale = cell.freshProviders === 0;
  const shown = onlyStale ? cell.stale : cell.fresh;
  let unitText = service.unit;
  if (service.extra && !onlyStale) unitText += ` \u00b7 ${number(cell.freshExtra)} ${service.extra.unit}`;
  figure(value, number(shown), onlyStale, ctx);
  setText(unit, unitText);
  const asOf = onlyStale ? cell.oldestStaleAsOf : cell.oldestFreshAsOf;
  const old = age(ctx.picture.ageSeconds(asOf));
  let words = onlyStale ? `Stale: ${old} old` : `${old} ago`;
  if (!onlyStale && cell.staleProviders) words += ` \u00b7 ${cell.staleProviders} stale not counted`;
  ageText(when, words, onlyStale);
}

// Demand against capacity: a row per locality, a column per pathway (1-3); each cell the
// patients waiting, the places free in fresh care figures, and how many are short.
// Stale figures are shown apart, never counted.
export function renderDemand(ctx) {
  const section = document.getElementById("demand");
  const cells = ctx.picture.demandCells();
  show(section, cells.length > 0);
  if (!cells.length) return;
  const localities = [...new Set(cells.map((c) => c.locality))].sort();
  const byKey = new Map(cells.map((c) => [`${c.locality}|${c.pathway}`, c]));
  keyed(section.querySelector("tbody"), localities, () => el("tr", {}, [
    el("th", { scope: "row" }),
    ...[1, 2, 3].map((p) => el("td", { "data-pathway": String(p) }, [
      el("span", { class: "figure" }), el("span", { class: "free" }), el("span", { class: "age" }),
    ])),
  ]), (row, locality) => {
    setText(row.querySelector("th"), title(locality));
    for (const pathway of [1, 2, 3]) {
      const node = row.querySelector(`td[data-pathway="${pathway}"]`);
      demandCell(node, byKey.get(`${locality}|${pathway}`), ctx);
    }
  });
}

function demandCell(node, cell, ctx) {
  const [waiting, free, when] = node.children;
  const c = cell ?? { waiting: 0, fresh: 0, stale: 0, gap: 0, oldestFreshAsOf: null };
  figure(waiting, String(c.waiting), c.staleCounts, ctx);
  setText(free, c.gap > 0 ? `${c.fresh} free \u00b7 ${c.gap} short` : `${c.fresh} free`);
  setData(node, "short", c.gap > 0);
  let words = "";
  if (c.oldestFreshAsOf) words = `${age(ctx.picture.ageSeconds(c.oldestFreshAsOf))} ago`;
  else if (c.waiting) words = "no fresh figure";
  if (c.stale) words += `${words ? " \u00b7 " : ""}${c.stale} stale`;
  ageText(when, words, !c.oldestFreshAsOf && c.waiting > 0);
}

// The last events, in words, newest first.
export function renderFeed(ctx) {
  const section = document.getElementById("feed");
  const items = ctx.picture.feed;
  show(section.querySelector(".feed-empty"), items.length === 0);
  keyed(section.querySelector(".feed-list"), items.map((i) => String(i.seq)),
    () => el("li", {}, [el("time"), el("span")]),
    (li, key) => {
      const item = items.find((i) => String(i.seq) === key);
      const [time, text] = li.children;
      setText(time, hhmm(item.at));
      time.setAttribute("datetime", item.at.toISOString());
      setText(text, item.text);
    });
  showWholeItems(section.querySelector(".feed-list"));
}

// As many whole lines as the panel holds (never half a line cut off at the bottom).
function showWholeItems(list) {
  const items = [...list.children];
  items.forEach((li) => show(li, true));
  const bottom = list.getBoundingClientRect().bottom;
  const fits = items.findIndex((li) => li.getBoundingClientRect().bottom > bottom);
  if (fits >= 0) items.slice(fits).forEach((li) => show(li, false)); // measured first, then hidden
}

// Words for one change, for the feed: "Salisbury: AMU occupancy 94 % (+2)".
export function describe(change, names) {
  const { before, after } = change;
  if (change.type.startsWith("opel.") || change.type.startsWith("action.")) {
    return describeOpel(change, names);
  }
  if (change.type.startsWith("sitrep.")) return `${orgShort(after.org, names)}: ${sitrepNews(change)}`;
  if (change.type === "beds.updated") {
    const where = `${orgShort(after.org, names)}: ${shortUnitId(after.unit_id, after.org)}`;
    const parts = [`occupancy ${pct(after.occupancy_pct)}${delta(before?.occupancy_pct, after.occupancy_pct)}`];
    if (before && before.escalation_open !== after.escalation_open) {
      parts.push(`escalation beds ${after.escalation_open}${delta(before.escalation_open, after.escalation_open)}`);
    }
    return `${where} ${parts.join(", ")}`;
  }
  if (change.type === "discharge_sitrep.updated") {
    return `${orgShort(after.org, names)}: ${after.remaining} ready to leave`
      + `${delta(before?.remaining, after.remaining)}`;
  }
  const service = careService(after.service_type);
  const total = (entry) => entry?.figures.reduce((t, f) => t + (f[service.figure] ?? 0), 0);
  const who = names.providers?.get(after.provider) ?? shortOrgName(after.provider_name);
  return `${who}: ${service.label.toLowerCase()} ${number(total(after))} ${service.unit}`
    + `${delta(total(before), total(after))}`;
}

// OPEL in the feed: level changes, declarations, divergence, overdue actions. A
// recalculation that did not move the level, and routine action changes, are not news.
function describeOpel(change, names) {
  const { type, after } = change;
  const who = after.org ? orgShort(after.org, names) : "System";
  if (type === "opel.level_changed") {
    const from = after.previous_level ? `from OPEL ${after.previous_level} ` : "";
    return `${who}: calculated level ${from}to ${opelText(after.level)}`;
  }
  if (type === "opel.declared") return `${who}: declared ${opel(after.level)}`;
  if (type === "opel.diverged") {
    return `${who}: declared OPEL ${after.declared_level} differs from calculated `
      + `OPEL ${after.calculated_level} since ${hhmm(new Date(after.since))}`;
  }
  if (type === "action.escalated") return `${who}: action overdue, not acknowledged (${after.card_id})`;
  return "";
}

function delta(before, after) {
  if (before === undefined || before === null || after === null) return "";
  const change = Math.round(after) - Math.round(before);
  if (!change) return " (no change)";
  return change > 0 ? ` (+${change})` : ` (\u2212${Math.abs(change)})`;
}

// -- shared pieces ----------------------------------------------------------------------

// A figure: its text, and whether it is current. Not current when stale, or when the
// board is not live: then every figure is greyed until the connection is back.
function figure(node, text, stale, ctx) {
  setText(node, text);
  setData(node, "stale", Boolean(stale));
  setData(node, "current", ctx.live && !stale);
}

// An age label, in words already made; marked so a stale one stands out (not by colour).
function ageText(node, text, stale) {
  setText(node, text);
  setData(node, "stale", Boolean(stale));
}

// "12 min ago", or "Stale: 1 d 2 h old"; "" when there is no figure.
function ageWords(asOf, stale, ctx) {
  if (!asOf) return "";
  const text = age(ctx.picture.ageSeconds(asOf));
  return stale ? `Stale: ${text} old` : `${text} ago`;
}

function orgName(org, ctx) {
  return orgShort(org, ctx.names);
}

function orgShort(org, names) {
  const known = names.orgs?.get(org);
  return known ? shortOrgName(known.name) : org;
}

function tileOrder(summary, ctx) {
  const kind = ctx.names.orgs?.get(summary.org)?.kind;
  return ["acute", "community", "mental_health"].indexOf(kind) + 1 || 9;
}

function careOrder(type) {
  return CARE_SERVICES.findIndex((s) => s.type === type) + 1 || 99;
}

function title(code) {
  return code.charAt(0).toUpperCase() + code.slice(1).replaceAll("_", " ");
}
