import { describe, expect, it } from 'vitest';
import { statementNamer } from './postgres';

describe('statementNamer (prepared statements on PostgreSQL)', () => {
  it('runs a text unnamed the first time and prepares it from the second call on, under one name', () => {
    const nameOf = statementNamer();
    const sql = 'select id from customers where member_code = $1';
    expect(nameOf(sql)).toBeUndefined();
    const name = nameOf(sql);
    expect(name).toMatch(/^sg\d+$/);
    expect(nameOf(sql)).toBe(name);
    const other = 'select id from stores where id = $1';
    nameOf(other);
    expect(nameOf(other)).not.toBe(name);
  });

  it('names at most `max` texts; the rest keep running unnamed', () => {
    const nameOf = statementNamer(2);
    const texts = ['select 1 where $1', 'select 2 where $1', 'select 3 where $1'];
    for (const t of texts) nameOf(t);
    const names = texts.map((t) => nameOf(t));
    expect(names.slice(0, 2).every((n) => n !== undefined)).toBe(true);
    expect(names[2]).toBeUndefined();
    // the named ones keep their names
    expect(texts.map((t) => nameOf(t))).toEqual(names);
  });
});
