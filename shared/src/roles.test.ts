import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boardLinkPath, hasRole, isRole } from './roles.js';

test('roles are ordered viewer < editor < owner', () => {
  assert.ok(hasRole('owner', 'editor') && hasRole('owner', 'viewer') && hasRole('owner', 'owner'));
  assert.ok(hasRole('editor', 'viewer') && hasRole('editor', 'editor'));
  assert.ok(!hasRole('editor', 'owner'));
  assert.ok(!hasRole('viewer', 'editor') && hasRole('viewer', 'viewer'));
});

test('isRole accepts only the three roles', () => {
  assert.ok(isRole('viewer') && isRole('editor') && isRole('owner'));
  assert.ok(!isRole('admin') && !isRole('') && !isRole(undefined) && !isRole('Owner'));
});

test('link paths keep the token in the fragment', () => {
  assert.equal(boardLinkPath('abc', 't0k.en'), '/b/abc#t0k.en');
});
