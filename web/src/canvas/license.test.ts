import { test } from 'node:test';
import assert from 'node:assert/strict';
import { needsLicenseKey } from './license.js';

test('the license message shows only on https off localhost without a key', () => {
  assert.equal(needsLicenseKey({ protocol: 'https:', hostname: 'plan.example.com' }, null), true);
  assert.equal(needsLicenseKey({ protocol: 'https:', hostname: 'plan.example.com' }, 'key'), false);
  assert.equal(needsLicenseKey({ protocol: 'http:', hostname: 'plan.example.com' }, null), false);
  assert.equal(needsLicenseKey({ protocol: 'https:', hostname: 'localhost' }, null), false);
  assert.equal(needsLicenseKey({ protocol: 'https:', hostname: '127.0.0.1' }, null), false);
  assert.equal(needsLicenseKey({ protocol: 'http:', hostname: 'localhost' }, null), false);
});
