// WICC live board: the page the control centre watches (served at /flow/board).
//
// Data: the board WebSocket (/flow/v1/board/ws, docs/api.md): a snapshot frame, then one
// event frame per change. Names come once from GET /capacity/v1/orgs (and the delay
// reasons' from GET /flow/v1/delay-reasons). Everything shown is derived in picture.js
// from the primary figures below.
//
// What each section reads (a section whose data is absent is hidden, not a placeholder):
//
//   section            snapshot keys                                  event types
//   system strip       units[].{bed_area, open, occupied,             beds.updated
//                        escalation_open, as_of, stale}
//   trust tiles        units[].{org, bed_area, open, occupied,        beds.updated
//                        escalation_open, closed[].{reason, count},
//                        as_of, stale}; names: /capacity/v1/orgs
//   care capacity      care.providers[].{provider, service_type,      care_capacity.updated
//                        localities, figures[], as_of, fresh_until,
//                        version}  (absent until a provider reports)
//   discharge-ready    patients.trusts[].{org, remaining, by_pathway, discharge_sitrep.updated
//     (strip, tiles)     lost_bed_days, as_of, valid_until}
//                        (absent until a trust has a list)
//   demand vs          patients.trusts[].waiting[] with care.      discharge_sitrep.updated,
//     capacity           providers[] (as above)                     care_capacity.updated
//   OPEL (tiles and    opel.subjects[].{about, org, system,           opel.calculated,
//     system strip)      calculated.{level, score, max_score,         opel.declared,
//                          partial, level_range, stale, missing,      action.issued,
//                          invalid, pending_level, pending_since,     action.acknowledged,
//                          computed_at}, declared.{level,             action.escalated,
//                          declared_at}}; opel.actions[].{action_id,  action.completed,
//                          org, system, status, overdue, due_at}      action.superseded
//                          (absent until a level is calculated or declared)
//   sitrep returns     sitreps[].{org, recent[].{date, status,        sitrep.submitted,
//     (tiles, drill-     version, submitted_at, amended_at,           sitrep.amended,
//     down)              deadline}}  (absent until a sitrep event)    sitrep.missed (and
//                                                                     its old name
//                                                                     sitrep.missing)
//   what changed       (events only; the snapshot has no history)     beds.updated,
//                                                                     care_capacity.updated,
//                                                                     discharge_sitrep.updated,
//                                                                     sitrep.submitted,
//                                                                     sitrep.amended,
//                                                                     sitrep.missed,
//                                                                     opel.level_changed,
//                                                                     opel.declared,
//                                                                     opel.diverged,
//                                                                     action.escalated
//   drill-down         units[] of the org, as the tiles; history:     beds.updated
//                        GET /capacity/v1/units/{id}/beds/history;
//                        OPEL and sitrep returns as the tiles;        (as the tiles)
//                        patients.trusts[].{by_reason, remaining,     discharge_sitrep.updated
//                        date, as_of, valid_until} (counts only);
//                        reason names: GET /flow/v1/delay-reasons
//   time               generated_at (the server's clock, for ages)    -
//
// Not read: `orgs` (totals are recomputed from units, as event frames require),
// `care.totals`, `patients.systems` and `patients.demand_capacity` (recomputed from
// providers and trusts likewise, by the same rules), and `opel.subjects[].open_actions`
// and `overdue_actions` (counted from `opel.actions`, which events keep current; an
// action is overdue from its due time on), and `sitreps[].areas` (sitrep bed figures; the
// tiles show the units' own) and the latest-date fields beside `recent` (its first
// entry). Keys a snapshot has that this page does not model are kept in `picture.extra`;
// sections.js says how to add a section for them.
//
// Sign-in: an API key typed into the form, kept in sessionStorage only (this tab, until
// sign-out or the tab closes); sent as `?token=` on the WebSocket (browsers cannot set
// its headers) and as a Bearer header on HTTP calls.

import { BoardConnection } from "./connection.js";
import { DrillDown } from "./drilldown.js";
import { hhmm, shortOrgName } from "./format.js";
import { Picture } from "./picture.js";
import {
  describe, renderCare, renderDemand, renderFeed, renderSystem, renderTiles,
} from "./sections.js";

const SECTIONS = [renderSystem, renderTiles, renderCare, renderDemand, renderFeed];
const KEY_STORAGE = "wicc.board.key";
const AGE_TICK_MS = 5_000;

const body = document.body;
const root = body.dataset.root;
const picture = new Picture({ bedStaleAfterSeconds: Number(body.dataset.bedStaleAfter) });
const names = { orgs: new Map(), units: new Map(), providers: new Map(), reasons: new Map() };
let connection = null;
let live = false;
let renderQueued = false;

const drill = new DrillDown({ dialog: document.getElementById("drill"), api });

function token() {
  return sessionStorage.getItem(KEY_STORAGE);
}

async function api(path, key = token()) {
  const response = await fetch(`${root}${path}`, { headers: { Authorization: `Bearer ${key}` } });
  if (!response.ok) throw Object.assign(new Error(`${response.status} ${path}`), { status: response.status });
  return response.json();
}

// Any key may read the organisations; one of them is the smallest answer that proves a key.
async function checkKey(key = token()) {
  try {
    await api("/capacity/v1/orgs?limit=1", key);
    return "ok";
  } catch (error) {
    return error.status === 401 ? "unauthorized" : "unreachable";
  }
}

// -- rendering --------------------------------------------------------------------------

function render() {
  renderQueued = false;
  const ctx = { picture, names, live };
  for (const section of SECTIONS) section(ctx);
  drill.render(ctx);
}

// Many frames in one animation frame (a resume backlog) make one render.
function scheduleRender() {
  if (!renderQueued) {
    renderQueued = true;
    requestAnimationFrame(render);
  }
}

function onFrame(frame) {
  if (frame.kind === "snapshot") {
    picture.applySnapshot(frame);
  } else if (frame.kind === "event") {
    const change = picture.applyEvent(frame);
    if (change) picture.remember(change, describe(change, names));
  }
  scheduleRender();
}

function onState({ state, lostAt }) {
  live = state === "live";
  body.dataset.connection = state;
  const status = document.getElementById("connection");
  if (state === "live") status.textContent = "Live";
  else if (state === "connecting") status.textContent = "Connecting\u2026";
  else status.textContent = `Offline since ${hhmm(lostAt)}, reconnecting. Figures are not current.`;
  // At once, not at the next frame: a lost connection must never look current.
  render();
}

// -- sign-in ----------------------------------------------------------------------------

async function loadNames() {
  names.orgs.clear();
  for (let offset = 0, total = 1; offset < total; offset += 500) {
    const page = await api(`/capacity/v1/orgs?limit=500&offset=${offset}`);
    total = page.total;
    for (const org of page.items) {
      names.orgs.set(org.ods, org);
      if (org.kind === "care_provider") names.providers.set(org.ods, shortOrgName(org.name));
      for (const site of org.sites) for (const unit of site.units) names.units.set(unit.id, unit.name);
    }
  }
}

// The delay reasons' names (any key may read the list), for the drill-down's counts.
async function loadReasons() {
  const lists = await api("/flow/v1/delay-reasons");
  names.reasons = new Map(lists.nctr.map((reason) => [reason.code, reason.name]));
}

async function start() {
  document.getElementById("sign-in").hidden = true;
  document.getElementById("board").hidden = false;
  document.getElementById("sign-out").hidden = false;
  // Codes instead of names where a list cannot be read: the board itself matters more
  // than its labels.
  await Promise.all([loadNames(), loadReasons()].map((loading) => loading.catch(() => {})));
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  connection = new BoardConnection({
    url: `${scheme}://${location.host}${root}/flow/v1/board/ws`,
    token: token(),
    checkKey,
    onFrame,
    onState,
    onUnauthorized: () => signOut("Your key is no longer accepted. Sign in again."),
  });
  connection.start();
}

function signOut(message = "") {
  connection?.stop();
  connection = null;
  sessionStorage.removeItem(KEY_STORAGE);
  picture.clear();
  drill.close();
  live = false;
  render();
  body.dataset.connection = "signed-out";
  document.getElementById("connection").textContent = "Signed out";
  document.getElementById("board").hidden = true;
  document.getElementById("sign-out").hidden = true;
  document.getElementById("sign-in").hidden = false;
  document.getElementById("sign-in-error").textContent = message;
  document.getElementById("api-key").focus();
}

document.getElementById("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("api-key");
  const key = input.value.trim();
  const error = document.getElementById("sign-in-error");
  const result = await checkKey(key);
  if (result !== "ok") {
    error.textContent = result === "unauthorized"
      ? "That key was not accepted. Check it and try again."
      : "WICC cannot be reached just now. Try again shortly.";
    return;
  }
  error.textContent = "";
  input.value = "";
  sessionStorage.setItem(KEY_STORAGE, key);
  start();
});

document.getElementById("sign-out").addEventListener("click", () => signOut());

document.querySelector("#trusts .tiles").addEventListener("click", (event) => {
  const tile = event.target.closest(".tile");
  if (tile) drill.open(tile.dataset.org, { picture, names, live });
});

// Ages move on even when nothing arrives; a figure turning stale is greyed by this tick.
setInterval(() => { if (connection) render(); }, AGE_TICK_MS);

if (token()) start();
