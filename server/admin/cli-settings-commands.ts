/** `hub:admin` commands for the hub's keys and head office's settings (binding, returns, outreach). */
import { z } from 'zod';
import { parseYuanToFen } from '../../shared/domain/money';
import { bindingRules, outreachSettings } from '../../shared/protocol';
import { print, str, validate, type Prepare } from './cli-args';
import { UsageError } from './cli-ops';
import { returnSettingsText } from './cli-return-text';
import { bindingRulesText, outreachSettingsText } from './cli-text';

/** By command name. */
export const settingsCommands: Record<string, Prepare> = {
  'rotate-integration-key': () => async (ops, io, json) => {
    const key = await ops.rotateIntegrationKey();
    print(
      io,
      json,
      { integrationKey: key },
      `new integration key (shown once; the previous one stops working): ${key}`,
    );
  },
  'rotate-admin-key': () => async (ops, io, json) => {
    const key = await ops.rotateAdminKey();
    print(io, json, { adminKey: key }, `new admin key (shown once): ${key}`);
  },
  'binding-rules': () => async (ops, io, json) => {
    const rules = await ops.bindingRules();
    print(io, json, rules, bindingRulesText(rules));
  },
  'set-binding-rules': ({ values }) => {
    // Only the options given change; the others keep the hub's current value.
    const given = validate(
      z.object({
        'registered-by': z.enum(['yes', 'no']).optional(),
        'served-and-bought': bindingRules.shape.servedAndBought.optional(),
        'expiry-days': z.union([z.literal('never'), z.string().regex(/^\d{1,4}$/)]).optional(),
      }),
      {
        'registered-by': str(values, 'registered-by'),
        'served-and-bought': str(values, 'served-and-bought'),
        'expiry-days': str(values, 'expiry-days'),
      },
    );
    if (Object.values(given).every((v) => v === undefined))
      throw new UsageError(
        'set-binding-rules needs --registered-by, --served-and-bought or --expiry-days',
      );
    return async (ops, io, json) => {
      const current = await ops.bindingRules();
      const days = given['expiry-days'];
      const next = validate(bindingRules, {
        registeredBy:
          given['registered-by'] === undefined
            ? current.registeredBy
            : given['registered-by'] === 'yes',
        servedAndBought: given['served-and-bought'] ?? current.servedAndBought,
        expiryDays:
          days === undefined ? current.expiryDays : days === 'never' ? null : Number(days),
      });
      const saved = await ops.setBindingRules(next);
      print(io, json, saved, `binding rules saved:\n${bindingRulesText(saved)}`);
    };
  },
  'return-settings': () => async (ops, io, json) => {
    const settings = await ops.returnSettings();
    print(io, json, settings, returnSettingsText(settings));
  },
  'set-return-settings': ({ values }) => {
    const above = str(values, 'manager-above');
    const fen = above === 'never' ? null : above === undefined ? undefined : parseYuanToFen(above);
    if (fen === undefined || (fen === null && above !== 'never'))
      throw new UsageError('set-return-settings needs --manager-above <yuan, e.g. 500>|never');
    return async (ops, io, json) => {
      const saved = await ops.setReturnSettings({ managerApprovalAboveFen: fen });
      print(io, json, saved, `return settings saved:\n${returnSettingsText(saved)}`);
    };
  },
  'outreach-settings': () => async (ops, io, json) => {
    const settings = await ops.outreachSettings();
    print(io, json, settings, outreachSettingsText(settings));
  },
  'set-outreach-settings': ({ values }) => {
    const url = str(values, 'mini-store-url');
    if (url === undefined)
      throw new UsageError('set-outreach-settings needs --mini-store-url <pattern>|off');
    // Checked here (https only, known placeholders) as the hub checks it.
    const next = validate(
      z.object({ 'mini-store-url': outreachSettings.shape.miniStoreUrlPattern }),
      { 'mini-store-url': url === 'off' ? null : url },
    );
    return async (ops, io, json) => {
      const saved = await ops.setOutreachSettings({
        miniStoreUrlPattern: next['mini-store-url'],
      });
      print(io, json, saved, `outreach settings saved:\n${outreachSettingsText(saved)}`);
    };
  },
};
