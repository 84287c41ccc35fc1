import { useMemo } from 'react';
import { renderSVG } from 'uqr';

/**
 * A QR code (an outreach link, a receipt's order id), drawn as SVG (uqr: no canvas, no network)
 * and shown as a data-URL image, which the CSP allows. Medium error correction: a phone camera or
 * the counter's scanner reads it off a glossy screen or a thermal print.
 */
export function QrCode({
  value,
  label,
  size = 168,
  className = 'qr-code',
}: {
  value: string;
  label: string;
  size?: number;
  className?: string;
}) {
  const src = useMemo(
    () =>
      `data:image/svg+xml;charset=utf-8,${encodeURIComponent(renderSVG(value, { ecc: 'M', border: 2 }))}`,
    [value],
  );
  return <img className={className} src={src} alt={label} width={size} height={size} />;
}
