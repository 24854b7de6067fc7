// Words and numbers as the board shows them. Pure functions: no DOM, no state.

// The control room works in UK time, whatever the wall screen's own setting.
const LONDON_TIME = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});

export function hhmm(date) {
  return LONDON_TIME.format(date);
}

// A calendar date ("2026-11-23", no time of day) as "23 Nov": formatted in UTC, where
// its midnight falls, so no screen's zone moves it to the day before.
const DAY_MONTH = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", day: "numeric", month: "short" });

export function dayMonth(isoDate) {
  return DAY_MONTH.format(new Date(`${isoDate}T00:00:00Z`));
}

// The calendar date in the UK at `date`, as "2026-11-23" (how sitrep dates are written).
const LONDON_DATE = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit",
});

export function londonDate(date) {
  return LONDON_DATE.format(date);
}

// "45 s", "12 min", "3 h 05 min", "2 d 4 h": short enough for a tile, exact enough to act on.
export function age(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, "0")} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function pct(value) {
  return value === null || value === undefined ? "–" : `${Math.round(value)} %`;
}

// A change as "+2" or "−1" (a true minus sign, as printed figures use); "" when none.
export function signed(delta) {
  if (!delta) return "";
  return delta > 0 ? `+${delta}` : `\u2212${Math.abs(delta)}`;
}

// Occupancy bands as the domain describes them: above 85 % shortages become regular,
// above 92 % flow suffers. The band is always shown with the number, never alone.
export function occupancyBand(value) {
  if (value === null || value === undefined) return "none";
  if (value > 92) return "high";
  if (value > 85) return "raised";
  return "ok";
}

// OPEL is shown as a number and a word, never by colour alone.
const OPEL_WORDS = {
  1: "Flow maintained", 2: "Signs of pressure", 3: "Major pressure", 4: "Extreme pressure",
};

export function opel(level) {
  return `OPEL ${level} \u00b7 ${OPEL_WORDS[level] ?? "Unknown level"}`;
}

// "Salisbury NHS Foundation Trust" -> "Salisbury": the tile has room for a place, not a title.
export function shortOrgName(name) {
  return name
    .replace(/\s*\(.*?\)\s*/g, " ")
    .replace(/\s+NHS\s+(Foundation\s+)?Trust$/i, "")
    .trim();
}

// "RNZ-MED-A" -> "MED-A" (a unit's id is its organisation's code and a local name).
export function shortUnitId(unitId, org) {
  return unitId.startsWith(`${org}-`) ? unitId.slice(org.length + 1) : unitId;
}

export const BED_AREAS = {
  adult_ga: "General & acute",
  paed_ga: "Paediatric G&A",
  adult_cc: "Critical care",
  paed_icu: "Paediatric intensive care",
  neonatal: "Neonatal",
  community: "Community",
  mental_health: "Mental health",
  intermediate_step_up: "Step-up",
  intermediate_step_down: "Step-down",
};

// Care services in the order the table lists them, each with the figure that answers
// "can someone start or move in now?" and the words for it.
export const CARE_SERVICES = [
  { type: "dom_care", label: "Home care", figure: "package_starts_per_day", unit: "starts/day",
    extra: { figure: "spare_hours_per_week", unit: "h/week" } },
  { type: "reablement", label: "Reablement", figure: "package_starts_per_day",
    unit: "starts/day" },
  { type: "urgent_care_at_home", label: "Urgent care at home", figure: "slots", unit: "slots" },
  { type: "intermediate_care_step_up", label: "Step-up beds", figure: "beds_vacant_accepting",
    unit: "beds free" },
  { type: "intermediate_care_step_down", label: "Step-down beds",
    figure: "beds_vacant_accepting", unit: "beds free" },
  { type: "community_hospital", label: "Community hospital", figure: "beds_vacant_accepting",
    unit: "beds free" },
  { type: "care_home", label: "Care homes", figure: "beds_vacant_accepting",
    unit: "beds free" },
];

export function careService(type) {
  return CARE_SERVICES.find((s) => s.type === type)
    ?? { type, label: type.replaceAll("_", " "), figure: null, unit: "" };
}

export function number(value) {
  if (value === null || value === undefined) return "–";
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

// Which care takes the patients of each pathway: the server's rule
// (wicc_shared/rules/care_pathways.py), so the board's gaps match the API's.
export const PATHWAY_SERVICES = {
  1: ["dom_care", "reablement"],
  2: ["intermediate_care_step_down", "community_hospital"],
  3: ["care_home"],
};

export function pathwayOf(serviceType) {
  const found = Object.entries(PATHWAY_SERVICES).find(([, types]) => types.includes(serviceType));
  return found ? Number(found[0]) : null;
}

export const PATHWAYS = {
  0: "P0 home", 1: "P1 home with support", 2: "P2 short-term bed", 3: "P3 care home",
};
