import { formatFen } from '../../shared/domain/money';
import type { ReturnSettings } from '../../shared/protocol';

/** The after-sale settings as `hub:admin return-settings` prints them. */
export function returnSettingsText(settings: ReturnSettings): string {
  const above = settings.managerApprovalAboveFen;
  return `manager PIN needed for refunds above: ${
    above === null ? 'never' : `${formatFen(above, 'en')} (${above} fen)`
  }`;
}
