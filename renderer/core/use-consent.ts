import { useCallback } from 'react';
import { newId } from '../../shared/domain/ids';
import {
  CURRENT_NOTICE_VERSION,
  noticeHash,
  type NoticeLocale,
} from '../../shared/domain/marketing-notice';
import type { OutreachSettings } from '../../shared/protocol';
import {
  consentOf,
  enqueueConsentChange,
  outreachSettingsHere,
  type ConsentState,
} from '../data/consents';
import { useServices } from './services';
import { useAppStore } from './store';
import { useLiveQuery, type AsyncState } from './use-async';

/** A member's marketing consent (#15 item 4) as this counter knows it, live and offline. */
export function useConsent(customerId: string): AsyncState<ConsentState> {
  const { db } = useServices();
  const query = useCallback(() => consentOf(db, customerId), [db, customerId]);
  return useLiveQuery(query);
}

/**
 * Head office's outreach settings: what the last sync kept here, else what the terminal learnt at
 * enrolment (a terminal enrolled before the setting existed has neither: no QR codes).
 */
export function useOutreachSettings(): AsyncState<OutreachSettings> {
  const { db, terminal } = useServices();
  const query = useCallback(
    async (): Promise<OutreachSettings> =>
      (await outreachSettingsHere(db)) ?? {
        miniStoreUrlPattern: terminal.settings.miniStoreUrlPattern ?? null,
      },
    [db, terminal],
  );
  return useLiveQuery(query);
}

export type RecordConsent = (
  granted: boolean,
  shownIn: NoticeLocale,
) => Promise<{ ok: true } | { ok: false; message: string }>;

/**
 * Records the member's answer after the notice was shown in `shownIn`: the notice's version and
 * the hash of its text travel with it (the hub checks them), the signed-in guide, this counter's
 * time. Offline-first (outbox, strict write), then a drain is asked for.
 */
export function useRecordConsent(customerId: string): RecordConsent {
  const { db, engine, now } = useServices();
  const guideId = useAppStore((s) => s.guide?.id ?? null);
  return useCallback(
    async (granted, shownIn) => {
      if (!guideId) return { ok: false, message: 'no guide signed in' };
      const at = now();
      const result = await enqueueConsentChange(
        db,
        {
          id: newId(),
          customerId,
          guideId,
          granted,
          noticeVersion: CURRENT_NOTICE_VERSION,
          noticeLocale: shownIn,
          noticeHash: await noticeHash(CURRENT_NOTICE_VERSION, shownIn),
          at: at.toISOString(),
        },
        at,
      );
      if (!result.ok) return { ok: false, message: result.error.message };
      void engine.requestDrain();
      return { ok: true };
    },
    [db, engine, now, guideId, customerId],
  );
}
