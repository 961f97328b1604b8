/**
 * tldraw runs without a license key over http and on localhost; over https on any other host it
 * replaces the editor with a blank element. There, without a key, show a message instead.
 */
export function needsLicenseKey(location: { protocol: string; hostname: string }, licenseKey: string | null): boolean {
  if (licenseKey) return false;
  const local = ['localhost', '127.0.0.1', '[::1]', '::1'].includes(location.hostname) || location.hostname.endsWith('.localhost');
  return location.protocol === 'https:' && !local;
}
