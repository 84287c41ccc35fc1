/** Receipt: first version (the full screen follows). */
export function ReceiptScreen({ orderId }: { orderId: string }) {
  return <section aria-label="小票" data-order-id={orderId} />;
}
