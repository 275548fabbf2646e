/**
 * @typedef {object} LineItem
 * @property {string} sku
 * @property {number} unitPriceCents
 * @property {number} quantity
 */

/**
 * Total of a cart in cents. Money stays in integer cents so sums never drift.
 * @param {LineItem[]} items
 * @returns {number}
 */
export function totalCents(items) {
  return items.reduce((sum, item) => sum + item.unitPriceCents * item.quantity, 0);
}

/**
 * Applies a percentage discount, rounding to the nearest cent.
 * @param {number} cents
 * @param {number} percent between 0 and 100
 * @returns {number}
 */
export function applyDiscount(cents, percent) {
  if (percent < 0 || percent > 100) throw new RangeError(`discount must be 0-100, got ${percent}`);
  return Math.round(cents * (1 - percent / 100));
}

/**
 * Formats cents as a price, e.g. 1234 -> "$12.34".
 * @param {number} cents
 * @returns {string}
 */
export function formatPrice(cents) {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}$${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
