/** Register a customer: first version (the full screen follows). */
export function RegisterScreen({ phone }: { phone?: string }) {
  return (
    <section aria-label="注册会员">
      <input aria-label="手机号" defaultValue={phone ?? ''} />
    </section>
  );
}
