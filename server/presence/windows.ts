/**
 * How long an arrival matters. An alert stays actionable for `ALERT_EXPIRY_MINUTES` after the
 * customer was first seen (most visits are 5–15 minutes, see DOMAIN.md; a claim after half an hour
 * is no longer about this visit). Presence events within `VISIT_WINDOW_MINUTES` of a visit's last
 * sighting extend that visit instead of opening a new one (and raising a second alert).
 * Terminals receive both with their store info, so their own expiry agrees with the hub's.
 */
export const ALERT_EXPIRY_MINUTES = 30;
export const VISIT_WINDOW_MINUTES = 30;
