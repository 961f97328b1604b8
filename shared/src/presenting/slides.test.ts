import { test } from 'node:test';
import assert from 'node:assert/strict';
import { moveSlide, slidesOf, type SlideFrame } from './slides.js';

const frame = (id: string, x: number, y: number, w = 400, h = 300, parentId: string | null = null): SlideFrame => ({ id, name: id, x, y, w, h, parentId });
const ids = (frames: SlideFrame[], order?: string[]) => slidesOf(frames, order).map((s) => s.id);

test('frames read in rows from top to bottom, left to right within a row', () => {
  const frames = [frame('d', 500, 400), frame('b', 500, 0), frame('c', 0, 400), frame('a', 0, 0)];
  assert.deepEqual(ids(frames), ['a', 'b', 'c', 'd']);
});

test('a frame whose top is a little lower or higher still reads in its row', () => {
  // Placed by hand: tops differ by up to 60 px on 300 px tall frames.
  const frames = [frame('third', 1000, 30), frame('second', 500, -25), frame('first', 0, 35), frame('next-row', 0, 400)];
  assert.deepEqual(ids(frames), ['first', 'second', 'third', 'next-row']);
});

test('a frame below the middle of the row starts the next row, even far to the left', () => {
  const frames = [frame('wide', 300, 0, 800, 200), frame('low-left', 0, 150, 200, 200)];
  assert.deepEqual(ids(frames), ['wide', 'low-left']);
});

test('frames of different sizes: a tall frame and two short ones stacked to its right', () => {
  const frames = [frame('tall', 0, 0, 400, 1000), frame('top-right', 500, 0, 400, 300), frame('bottom-right', 500, 600, 400, 300)];
  assert.deepEqual(ids(frames), ['tall', 'top-right', 'bottom-right']);
});

test('a frame inside a frame follows its parent, its own children in reading order', () => {
  const frames = [
    frame('sprint', 0, 0, 2000, 800),
    frame('later', 1000, 0, 400, 300),
    frame('in-sprint-right', 1200, 100, 300, 300, 'sprint'),
    frame('in-sprint-left', 100, 110, 300, 300, 'sprint'),
    frame('nested-deeper', 120, 130, 100, 100, 'in-sprint-left'),
    frame('under', 0, 1000),
  ];
  const slides = slidesOf(frames);
  assert.deepEqual(slides.map((s) => s.id), ['sprint', 'in-sprint-left', 'nested-deeper', 'in-sprint-right', 'later', 'under']);
  assert.deepEqual(slides.map((s) => s.depth), [0, 1, 2, 1, 0, 0]);
});

test('a frame whose parent is not a frame (a group, a deleted frame) is read with the page', () => {
  assert.deepEqual(ids([frame('b', 500, 0, 400, 300, 'shape:group'), frame('a', 0, 0)]), ['a', 'b']);
});

test('the presenter\'s order comes first; frames it does not name follow in reading order; gone frames are skipped', () => {
  const frames = [frame('a', 0, 0), frame('b', 500, 0), frame('c', 1000, 0), frame('new', 0, 500)];
  assert.deepEqual(ids(frames, ['c', 'gone', 'a', 'c']), ['c', 'a', 'b', 'new']);
  assert.deepEqual(ids(frames, []), ['a', 'b', 'c', 'new']);
});

test('a slide is titled by its frame\'s name, or by its place when the frame has none', () => {
  const slides = slidesOf([{ ...frame('x', 0, 0), name: '  Goals ' }, { ...frame('y', 500, 0), name: '' }]);
  assert.deepEqual(slides.map((s) => s.title), ['Goals', 'Slide 2']);
});

test('moving a slide up or down swaps it with its neighbour; not past either end', () => {
  const slides = slidesOf([frame('a', 0, 0), frame('b', 500, 0), frame('c', 1000, 0)]);
  assert.deepEqual(moveSlide(slides, 'b', -1), ['b', 'a', 'c']);
  assert.deepEqual(moveSlide(slides, 'b', 1), ['a', 'c', 'b']);
  assert.deepEqual(moveSlide(slides, 'a', -1), ['a', 'b', 'c']);
  assert.deepEqual(moveSlide(slides, 'c', 1), ['a', 'b', 'c']);
});

test('no frames, no slides', () => {
  assert.deepEqual(slidesOf([]), []);
});
