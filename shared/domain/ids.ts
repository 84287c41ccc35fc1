import { v7 } from 'uuid';

/** Ids are UUIDv7, generated where the record is born (terminal or hub); time-ordered. */
export const newId = (): string => v7();
