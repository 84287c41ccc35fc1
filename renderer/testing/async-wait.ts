/**
 * How long Testing Library's `waitFor` and `findBy…` wait when a test gives no timeout: 10 s, not
 * its 1 s default. Each such wait is for something that must happen (a render after a read of the
 * local database, a lazy chunk, the in-process hub's answer), and on a loaded 2-core CI machine a
 * second was seen to run out. Imported by the component-test harnesses; nothing asserted within a
 * time is written as a bare wait.
 */
import { configure } from '@testing-library/react';

export const ASYNC_WAIT_MS = 10_000;

configure({ asyncUtilTimeout: ASYNC_WAIT_MS });
