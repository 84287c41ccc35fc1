/** New order: first version (the full screen follows). */
export function OrderScreen({
  customerId,
  alertId,
  addSku,
}: {
  customerId?: string;
  alertId?: string;
  addSku?: string;
}) {
  return (
    <section
      aria-label="新建订单"
      data-customer-id={customerId}
      data-alert-id={alertId}
      data-add-sku={addSku}
    />
  );
}
