import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiClient } from '../shared/api-client';
import { endpoints, type CreditStatement } from '../shared/protocol';
import { downloadText } from '../renderer/dashboard/download';
import { formatKpi } from '../renderer/dashboard/format';
import { failureOf, type Failure } from './hub';
import { LoadStatus } from './load-status';
import type { Period } from './period';
import { useHub } from './use-hub';

type Figures = CreditStatement['total'];
const AMOUNTS = ['sales', 'salesAmount', 'refunds', 'refundsAmount', 'net'] as const;

/**
 * The benefit-sharing statement per store and guide (docs/online-credit.md), and its exports for
 * payroll and ERP: the hub's own CSV (Excel-safe: UTF-8 with BOM, formulas defused) and the JSON
 * the admin API answers, both saved as they came.
 */
export function StatementView({
  api,
  period,
  onFailure,
}: {
  api: ApiClient;
  period: Period;
  onFailure(f: Failure): void;
}) {
  const { t, i18n } = useTranslation('console');
  const [exportFailure, setExportFailure] = useState<Failure | null>(null);
  const loaded = useHub(
    `${period.from}/${period.to}`,
    () => api.call(endpoints.adminCreditStatement, { query: period }),
    onFailure,
  );
  if (loaded.state !== 'ready') return <LoadStatus loaded={loaded} />;
  const statement = loaded.value;
  const name = `credit-statement-${period.from}-${period.to}`;
  const csv = async () => {
    const result = await api.call(endpoints.adminCreditStatementCsv, { query: period });
    if (!result.ok) return setExportFailure(failureOf(result.error));
    setExportFailure(null);
    downloadText(`${name}.csv`, result.value);
  };
  const json = () =>
    downloadText(`${name}.json`, JSON.stringify(statement, null, 2), 'application/json');
  const cells = (f: Figures) =>
    AMOUNTS.map((k) => (
      <td key={k}>
        {formatKpi(f[k], k === 'sales' || k === 'refunds' ? 'count' : 'fen', i18n.language)}
      </td>
    ));
  const rows = statement.stores.filter((s) => s.lines.length > 0);
  return (
    <section aria-labelledby="statement-heading" className="statement">
      <h2 id="statement-heading">{t('statement.heading')}</h2>
      <p className="hint">{t('statement.note')}</p>
      <div className="actions">
        <button type="button" onClick={() => void csv()}>
          {t('statement.downloadCsv')}
        </button>
        <button type="button" onClick={json}>
          {t('statement.downloadJson')}
        </button>
      </div>
      {exportFailure && <LoadStatus loaded={{ state: 'failed', failure: exportFailure }} />}
      {rows.length === 0 ? (
        <p>{t('statement.empty')}</p>
      ) : (
        <table className="figures">
          <caption>{t('statement.heading')}</caption>
          <thead>
            <tr>
              <th scope="col" className="text">
                {t('table.store')}
              </th>
              <th scope="col" className="text">
                {t('statement.guide')}
              </th>
              {AMOUNTS.map((k) => (
                <th key={k} scope="col">
                  {t(`statement.${k}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.flatMap((store) => [
              ...store.lines.map((line) => (
                <tr key={`${store.storeId}/${line.guideId ?? ''}`}>
                  <th scope="row">{store.storeName}</th>
                  <td className="text">
                    {line.guideId === null ? t('statement.storePool') : line.guideName}
                  </td>
                  {cells(line)}
                </tr>
              )),
              <tr key={`${store.storeId}/total`} className="subtotal">
                <th scope="row">{store.storeName}</th>
                <td className="text">{t('statement.total')}</td>
                {cells(store.total)}
              </tr>,
            ])}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={2}>
                {t('statement.total')}
              </th>
              {cells(statement.total)}
            </tr>
          </tfoot>
        </table>
      )}
    </section>
  );
}
