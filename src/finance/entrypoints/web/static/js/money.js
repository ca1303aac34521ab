// Money as the API sends it: strings with two decimals. Shown by rearranging the digits, never
// through binary floating point; numbers are made only to size a chart's bars.

const GROUPS = /\B(?=(\d{3})+(?!\d))/g;

/** "-1234567.8" → "-1,234,567.80" */
export function formatMoney(value) {
  if (value === null || value === undefined || value === "") return "";
  const text = String(value).trim();
  const negative = text.startsWith("-");
  const [whole, fraction = ""] = (negative ? text.slice(1) : text).split(".");
  const grouped = (whole.replace(/^0+(?=\d)/, "") || "0").replace(GROUPS, ",");
  return `${negative ? "-" : ""}${grouped}.${(fraction + "00").slice(0, 2)}`;
}

/** The height of a bar for a money string; for drawing only, never for a shown figure. */
export function chartValue(value) {
  return Number(value);
}

export function formatCount(count) {
  return String(count).replace(GROUPS, ",");
}
