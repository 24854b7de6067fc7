// The drill-down: a trust's units, each with its figures, age and an occupancy sparkline
// from the unit's accepted reports (GET /capacity/v1/units/{id}/beds/history), its
// recent sitrep returns, and its discharge-ready patients counted by delay reason (from
// its latest discharge sitrep on the board: counts only, never a patient). Everything is
// updated in place from the live picture while the panel is open; a unit's new report
// adds a point to its line without fetching the history again.

import { el, keyed, setData, setText, show } from "./dom.js";
import { age, BED_AREAS, dayMonth, pct, shortOrgName } from "./format.js";
import { opelSentence } from "./sections.js";
import { sitrepSentence } from "./sitreps.js";

const HISTORY_POINTS = 48;
const NO_REASON = "none_recorded"; // the discharge sitrep's key for no delay recorded
const SVG = "http://www.w3.org/2000/svg";

export class DrillDown {
  constructor({ dialog, api }) {
    this.dialog = dialog;
    this.api = api; // (path) => Promise<json>, with the signed-in key
    this.org = null;
    this.histories = new Map(); // unit_id -> [{as_of, occupancy_pct}], oldest first
    dialog.querySelector(".drill-close").addEventListener("click", () => this.close());
    dialog.addEventListener("close", () => { this.org = null; });
  }

  open(org, ctx) {
    this.org = org;
    this.histories.clear();
    this.dialog.querySelector(".units-table tbody").replaceChildren();
    this.render(ctx);
    if (!this.dialog.open) this.dialog.showModal();
    for (const unit of ctx.picture.units.values()) {
      if (unit.org === org) this.loadHistory(unit.unit_id, ctx);
    }
  }

  close() {
    if (this.dialog.open) this.dialog.close();
  }

  async loadHistory(unitId, ctx) {
    try {
      const page = await this.api(
        `/capacity/v1/units/${encodeURIComponent(unitId)}/beds/history?limit=${HISTORY_POINTS}`);
      const points = page.items.map((i) => ({ as_of: i.as_of, occupancy_pct: i.occupancy_pct }));
      this.histories.set(unitId, points.reverse());
    } catch {
      this.histories.set(unitId, []); // no line rather than a wrong one
    }
    this.render(ctx);
  }

  // Called on every board render; does nothing while the panel is closed.
  render(ctx) {
    if (this.org === null) return;
    const units = [...ctx.picture.units.values()].filter((u) => u.org === this.org)
      .sort((a, b) => a.unit_id.localeCompare(b.unit_id));
    const known = ctx.names.orgs?.get(this.org);
    setText(this.dialog.querySelector("#drill-title"),
      `${known ? shortOrgName(known.name) : this.org}: units`);
    const opel = ctx.picture.opelOf(this.org); // the trust's OPEL, in full
    show(this.dialog.querySelector(".drill-opel"), opel !== null);
    if (opel) setText(this.dialog.querySelector(".drill-opel"), opelSentence(opel));
    const sitreps = sitrepSentence(ctx.picture.sitreps.recent(this.org));
    show(this.dialog.querySelector(".drill-sitreps"), sitreps !== "");
    setText(this.dialog.querySelector(".drill-sitreps"), sitreps);
    this.renderReasons(ctx);
    const byId = new Map(units.map((u) => [u.unit_id, u]));
    keyed(this.dialog.querySelector(".units-table tbody"), units.map((u) => u.unit_id),
      createRow, (row, id) => this.updateRow(row, byId.get(id), ctx));
  }

  // Patients ready to leave by delay reason (each counted once, under the delay open that
  // day, as the discharge sitrep counts them), most first; "no reason recorded" last.
  // Hidden while the trust has no list.
  renderReasons(ctx) {
    const section = this.dialog.querySelector(".drill-reasons");
    const trust = ctx.picture.dischargesOf(this.org);
    show(section, trust !== null);
    if (!trust) return;
    const stale = ctx.picture.dischargesAreStale(trust);
    const old = age(ctx.picture.ageSeconds(trust.as_of));
    const when = section.querySelector(".age");
    setText(when, `${trust.remaining} ready to leave on ${dayMonth(trust.date)}, `
      + `${stale ? `stale: counted ${old} ago` : `counted ${old} ago`}`);
    setData(when, "stale", stale);
    const counted = trust.by_reason.filter((r) => r.remaining > 0)
      .sort((a, b) => (a.reason === NO_REASON) - (b.reason === NO_REASON)
        || b.remaining - a.remaining);
    const byReason = new Map(counted.map((r) => [r.reason, r.remaining]));
    show(section.querySelector("table"), counted.length > 0); // none ready: the line says 0
    keyed(section.querySelector("tbody"), counted.map((r) => r.reason),
      () => el("tr", {}, [el("th", { scope: "row" }), el("td", { class: "figure" })]),
      (row, reason) => {
        const [name, patients] = row.children;
        setText(name, reason === NO_REASON ? "No reason recorded"
          : ctx.names.reasons?.get(reason) ?? reason);
        setText(patients, String(byReason.get(reason)));
        setData(patients, "stale", stale);
        setData(patients, "current", ctx.live && !stale);
      });
  }

  updateRow(row, unit, ctx) {
    const [name, area, beds, occupancy, escalation, closed, when, trend] = row.children;
    setText(name, ctx.names.units?.get(unit.unit_id) ?? unit.unit_id);
    setText(area, BED_AREAS[unit.bed_area] ?? unit.bed_area);
    const stale = ctx.picture.unitIsStale(unit);
    for (const [cell, text] of [[beds, `${unit.occupied} / ${unit.open}`],
      [occupancy, pct(unit.occupancy_pct)], [escalation, String(unit.escalation_open)],
      [closed, String(unit.closed_total)]]) {
      setText(cell, text);
      setData(cell, "stale", stale);
      setData(cell, "current", ctx.live && !stale);
    }
    const ageText = age(ctx.picture.ageSeconds(unit.as_of));
    setText(when, stale ? `Stale: ${ageText} old` : `${ageText} ago`);
    setData(when, "stale", stale);
    this.extendHistory(unit);
    drawSparkline(trend, this.histories.get(unit.unit_id));
  }

  extendHistory(unit) {
    const points = this.histories.get(unit.unit_id);
    if (!points) return; // still loading: the fetch will include this report
    const last = points.at(-1);
    if (!last || Date.parse(unit.as_of) > Date.parse(last.as_of)) {
      points.push({ as_of: unit.as_of, occupancy_pct: unit.occupancy_pct });
      if (points.length > HISTORY_POINTS) points.shift();
    }
  }
}

function createRow() {
  const cells = Array.from({ length: 7 }, (_, i) => el(i === 0 ? "th" : "td",
    i === 0 ? { scope: "row" } : { class: "figure" }));
  cells[6].className = "age";
  return el("tr", {}, [...cells, el("td", { class: "trend" })]);
}

// Occupancy over the unit's last reports as a small line, with its words for a screen
// reader (and for anyone who cannot tell a line's slope at a glance).
function drawSparkline(cell, points) {
  const values = (points ?? []).filter((p) => p.occupancy_pct !== null);
  const label = values.length < 2
    ? (points ? "Not enough reports for a trend" : "Loading trend")
    : `From ${pct(values[0].occupancy_pct)} to ${pct(values.at(-1).occupancy_pct)} over ${values.length} reports`;
  const signature = `${label}|${values.map((p) => p.occupancy_pct).join(",")}`;
  if (cell.dataset.signature === signature) return;
  cell.dataset.signature = signature;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 100 30");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  if (values.length >= 2) {
    const line = document.createElementNS(SVG, "polyline");
    const step = 100 / (values.length - 1);
    const y = (v) => (30 - (Math.min(100, v) / 100) * 28 - 1).toFixed(1);
    line.setAttribute("points", values.map((p, i) => `${(i * step).toFixed(1)},${y(p.occupancy_pct)}`).join(" "));
    svg.append(line);
  }
  // Too few reports for a line: say so in words, on screen too.
  cell.replaceChildren(values.length >= 2 ? svg : el("span", { class: "age", text: label }));
}
