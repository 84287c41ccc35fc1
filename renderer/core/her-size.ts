import { useCallback } from 'react';
import { herSizeAnswer, type HerSizeAnswer } from '../../shared/domain/styles';
import type { OtherStoresStock, ProductItem, Sizes } from '../../shared/protocol';
import { productsWithStyles } from '../data/catalog';
import { useServices } from './services';
import { useAsync, useLiveQuery, type AsyncState } from './use-async';

/** Per SKU she showed interest in: the cached product (undefined: not in the catalog here) and the answer. */
export type HerSizeView = {
  products: Map<string, ProductItem>;
  answers: Map<string, HerSizeAnswer>;
};

/**
 * "Her size" for each item she showed interest in online, from the cached catalog (offline too):
 * is her size here, what other sizes and colours of the style are. Re-read when the catalog
 * changes (a feed pull brings the hub's stock figures).
 */
export function useHerSize(skus: readonly string[], sizes: Sizes): AsyncState<HerSizeView> {
  const { db } = useServices();
  const key = [...new Set(skus)].sort().join('\n');
  const sizesKey = JSON.stringify(sizes);
  const query = useCallback(async (): Promise<HerSizeView> => {
    const profileSizes = JSON.parse(sizesKey) as Sizes;
    const { products, styles } = await productsWithStyles(db, key === '' ? [] : key.split('\n'));
    const answers = new Map<string, HerSizeAnswer>();
    for (const [sku, product] of products)
      answers.set(
        sku,
        herSizeAnswer(
          product,
          product.styleCode ? (styles.get(product.styleCode) ?? []) : [],
          profileSizes,
        ),
      );
    return { products, answers };
  }, [db, key, sizesKey]);
  return useLiveQuery(query);
}

/** A product's stock in the chain's other stores (online; asked only when `sku` is set). */
export function useOtherStores(sku: string | null): AsyncState<OtherStoresStock | null> {
  const { engine } = useServices();
  const load = useCallback(async (): Promise<OtherStoresStock | null> => {
    if (sku === null) return null;
    const answer = await engine.otherStoresStock(sku);
    if (!answer.ok) throw new Error(answer.error.message);
    return answer.value;
  }, [engine, sku]);
  return useAsync(load);
}
