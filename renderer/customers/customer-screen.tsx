/** Customer 360: first version (the full screen follows). */
export function CustomerScreen({ customerId }: { customerId: string }) {
  return <section aria-label="顾客详情" data-customer-id={customerId} />;
}
