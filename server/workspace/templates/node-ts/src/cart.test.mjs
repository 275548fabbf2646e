import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDiscount, formatPrice, totalCents } from './cart.mjs';

test('totalCents sums price times quantity', () => {
  assert.equal(totalCents([{ sku: 'a', unitPriceCents: 250, quantity: 2 }, { sku: 'b', unitPriceCents: 99, quantity: 1 }]), 599);
  assert.equal(totalCents([]), 0);
});

test('applyDiscount rounds to the cent and rejects nonsense', () => {
  assert.equal(applyDiscount(999, 10), 899);
  assert.equal(applyDiscount(1000, 0), 1000);
  assert.throws(() => applyDiscount(1000, 120), RangeError);
});

test('formatPrice pads cents', () => {
  assert.equal(formatPrice(1234), '$12.34');
  assert.equal(formatPrice(5), '$0.05');
  assert.equal(formatPrice(-150), '-$1.50');
});
