import { useMemo } from 'react';
import { renderSVG } from 'uqr';

/**
 * A QR code for a link, drawn as SVG (uqr: no canvas, no network) and shown as an image, so the
 * customer can scan it from the counter's screen. Medium error correction: a phone camera reads
 * it off a glossy screen at arm's length.
 */
export function QrCode({
  value,
  label,
  size = 168,
}: {
  value: string;
  label: string;
  size?: number;
}) {
  const src = useMemo(
    () =>
      `data:image/svg+xml;charset=utf-8,${encodeURIComponent(renderSVG(value, { ecc: 'M', border: 2 }))}`,
    [value],
  );
  return <img className="qr-code" src={src} alt={label} width={size} height={size} />;
}
