/** Customer lookup: first version (the full screen follows). */
export function LookupScreen({ query }: { query?: string }) {
  return (
    <section aria-label="顾客查询">
      <input aria-label="搜索顾客" defaultValue={query ?? ''} />
    </section>
  );
}
