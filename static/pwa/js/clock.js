// The one place the field app turns moments into dates and times for people: China Standard Time
// (Asia/Shanghai), whatever zone the phone is set to, as the bureau works and the server checks
// (server/core/clock.py). Moments are stored as UTC (ISO 8601 or epoch ms); the server's naive ISO
// times are UTC too.
const ZONE = 'Asia/Shanghai';
const DAY = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
const PARTS = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, year: 'numeric', month: 'numeric', day: 'numeric',
  hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** A moment (epoch ms, Date, or ISO text; text without a zone is UTC) as a Date. */
export function moment(value = Date.now()) {
  if (value instanceof Date) return value;
  if (typeof value === 'string' && /T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(value)) return new Date(`${value}Z`);
  return new Date(value);
}

function parts(value) {
  const out = {};
  for (const p of PARTS.formatToParts(moment(value))) out[p.type] = p.value;
  return out;
}

/** The China date of a moment (default now) plus offsetDays, as YYYY-MM-DD. */
export function chinaDate(value = Date.now(), offsetDays = 0) {
  return DAY.format(new Date(moment(value).getTime() + offsetDays * 86400000));
}

/** The China year of a moment (default now), as text. */
export const chinaYear = (value = Date.now()) => chinaDate(value).slice(0, 4);

/** "11月29日 06:40" in China time, "—" for none. */
export function chinaTime(value) {
  if (!value) return '—';
  const p = parts(value);
  return `${p.month}月${p.day}日 ${p.hour}:${p.minute}`;
}

/** "20261129-0640" in China time, for file names. */
export function chinaStamp(value = Date.now()) {
  const p = parts(value);
  return `${chinaDate(value).replace(/-/g, '')}-${p.hour}${p.minute}`;
}
